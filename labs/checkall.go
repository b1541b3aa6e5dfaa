package labs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"hood/commands"
	"hood/internal/render"
)

// StepReport is what running one step's reference solution showed.
type StepReport struct {
	Lab      string
	Step     int // from 1
	Title    string
	Skipped  string   // why the step was not run, or ""
	Problems []string // empty when the step passed
}

// OK reports whether the step passed (or was skipped).
func (r StepReport) OK() bool { return len(r.Problems) == 0 }

// CheckLab runs l's reference solution step by step in a fresh session and
// checks that every check fails before its step and holds after it. The
// session is closed at the end, leaving nothing behind. transcript gets the
// narration of every command.
func CheckLab(l *Lab, transcript io.Writer) (reports []StepReport, skipped string) {
	if miss := missing(l.Needs, l.Rootless); len(miss) > 0 {
		return nil, strings.Join(miss, "; ")
	}
	s := commands.NewSession()
	s.Terminal = false
	out, err := os.CreateTemp("", "hood-lab-*.out")
	if err != nil {
		return []StepReport{{Lab: l.ID, Problems: []string{err.Error()}}}, ""
	}
	defer os.Remove(out.Name())
	defer out.Close()
	// A second handle, with its own offset, reads what programs wrote.
	back, err := os.Open(out.Name())
	if err != nil {
		return []StepReport{{Lab: l.ID, Problems: []string{err.Error()}}}, ""
	}
	defer back.Close()
	null, _ := os.Open(os.DevNull)
	defer null.Close()
	s.Stdin, s.Stdout, s.Stderr = null, out, out
	defer s.Close()
	if _, err := s.StartFirst("box1"); err != nil {
		return []StepReport{{Lab: l.ID, Problems: []string{"cannot start box1: " + err.Error()}}}, ""
	}
	host, _ := os.Hostname()
	e := &env{s: s, hostHostname: host}
	rd := &render.Renderer{W: transcript}
	for i, st := range l.Steps {
		rep := StepReport{Lab: l.ID, Step: i + 1, Title: st.Title}
		if miss := missing(st.Needs, st.Rootless); len(miss) > 0 {
			rep.Skipped = strings.Join(miss, "; ")
			reports = append(reports, rep)
			continue
		}
		// Before the step, event checks see every call since the lab
		// began: a step whose outcome an earlier step already produced
		// would teach nothing.
		e.mark, e.measureMark = 0, 0
		failed := false
		for _, c := range st.Checks {
			if failed && c.probes() {
				continue // as the runner does: no probe after a failed check
			}
			ok, detail := c.eval(e)
			if ok {
				rep.Problems = append(rep.Problems, fmt.Sprintf("passes before the step is done: %s (%s)", c.said(e), detail))
			}
			failed = failed || !ok
		}
		e.mark, e.measureMark = len(s.Events), len(s.Measures)
		for _, line := range st.Solution {
			line = e.expand(line)
			rd.Typed(s.Prompt(), line)
			cmds, err := commands.Split(line)
			if err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("solution line %q: %v", line, err))
				continue
			}
			for _, words := range cmds {
				res, err := s.Exec(words)
				rd.Result(res, s.Narrate)
				if err != nil {
					rd.Error(err)
				}
				flushOutput(back, transcript)
			}
		}
		for _, c := range st.Checks {
			if ok, detail := c.eval(e); !ok {
				rep.Problems = append(rep.Problems, fmt.Sprintf("does not hold after the solution: %s (%s)", c.said(e), detail))
			}
		}
		reports = append(reports, rep)
	}
	return reports, ""
}

// flushOutput copies what programs wrote since last time into the transcript.
func flushOutput(f *os.File, w io.Writer) {
	data, _ := io.ReadAll(f)
	w.Write(data)
}

// CheckAll runs CheckLab for every lab and prints one line per step, then a
// summary. verbose prints each lab's transcript; otherwise a transcript is
// printed only for a lab with a failing step. It returns the number of
// failing steps.
func CheckAll(labs []*Lab, w io.Writer, verbose bool) int {
	start := time.Now()
	failed, passed, skippedSteps := 0, 0, 0
	for _, l := range labs {
		t0 := time.Now()
		var tr bytes.Buffer
		reports, skipped := CheckLab(l, &tr)
		if skipped != "" {
			fmt.Fprintf(w, "SKIP  lab %-10s %s\n", l.ID, skipped)
			skippedSteps += len(l.Steps)
			continue
		}
		labFailed := false
		for _, r := range reports {
			switch {
			case r.Skipped != "":
				fmt.Fprintf(w, "skip  %s step %d: %s (%s)\n", l.ID, r.Step, r.Title, r.Skipped)
				skippedSteps++
			case r.OK():
				fmt.Fprintf(w, "ok    %s step %d: %s\n", l.ID, r.Step, r.Title)
				passed++
			default:
				fmt.Fprintf(w, "FAIL  %s step %d: %s\n", l.ID, r.Step, r.Title)
				for _, p := range r.Problems {
					fmt.Fprintf(w, "        %s\n", p)
				}
				failed++
				labFailed = true
			}
		}
		fmt.Fprintf(w, "      lab %s: %d steps in %d ms\n", l.ID, len(reports), time.Since(t0).Milliseconds())
		if verbose || labFailed {
			fmt.Fprintf(w, "----- transcript of lab %s -----\n%s----- end of transcript -----\n", l.ID, tr.String())
		}
	}
	fmt.Fprintf(w, "%d steps passed, %d failed, %d skipped, in %.1fs\n", passed, failed, skippedSteps, time.Since(start).Seconds())
	if passed == 0 && failed == 0 {
		fmt.Fprintln(w, "nothing ran: this machine cannot run any of these labs (see the SKIP lines)")
		return 1
	}
	return failed
}
