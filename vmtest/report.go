package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// A step is one program run in the VM, as init.sh framed it on the second
// serial port.
type step struct {
	Name   string
	Output []string
	RC     int // -1 until its END line
	Took   time.Duration
	start  time.Time
}

// Passed reports whether the step ended with status 0.
func (s *step) Passed() bool { return s.RC == 0 }

// Skips lists what the step's output says was skipped, with the reason.
// For a test binary run with -test.v that is each "--- SKIP: TestX" with
// the lines TestX logged (after its "=== RUN", "=== CONT" or "=== NAME"
// line, or indented below the SKIP line); for hood lab --check-all, its
// "SKIP" and "skip" lines.
func (s *step) Skips() []string {
	logs := map[string][]string{}
	var skipped []string
	cur := ""
	for _, l := range s.Output {
		t := strings.TrimSpace(l)
		if name, ok := cutAny(l, "=== RUN ", "=== CONT ", "=== NAME "); ok {
			cur = strings.TrimSpace(name)
			continue
		}
		if rest, ok := strings.CutPrefix(t, "--- "); ok {
			verdict, name, _ := strings.Cut(rest, ": ")
			name, _, _ = strings.Cut(name, " (")
			cur = name
			if verdict == "SKIP" {
				skipped = append(skipped, name)
			}
			continue
		}
		switch {
		case cur != "" && strings.HasPrefix(l, "    "):
			logs[cur] = append(logs[cur], t)
		case strings.HasPrefix(l, "SKIP ") || strings.HasPrefix(l, "skip "):
			skipped = append(skipped, strings.Join(strings.Fields(l)[1:], " "))
		default:
			cur = ""
		}
	}
	var out []string
	for _, name := range skipped {
		if why := logs[name]; len(why) > 0 {
			name += ": " + strings.Join(why, "; ")
		}
		out = append(out, name)
	}
	return out
}

func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return "", false
}

// report collects the steps from the lines of the second serial port.
type report struct {
	Steps []*step
	Done  bool     // init.sh ran every step
	Stray []string // lines outside any step
	now   func() time.Time
	live  func(*step) // called when a step ends
}

const frame = "=== vmtest "

func (r *report) line(l string) {
	// Output without a final newline runs into the frame after it.
	if i := strings.Index(l, frame); i > 0 {
		r.line(l[:i])
		l = l[i:]
	}
	cur := (*step)(nil)
	if n := len(r.Steps); n > 0 && r.Steps[n-1].RC == -1 {
		cur = r.Steps[n-1]
	}
	rest, isFrame := strings.CutPrefix(l, frame)
	switch {
	case isFrame && strings.HasPrefix(rest, "BEGIN "):
		r.Steps = append(r.Steps, &step{Name: strings.TrimPrefix(rest, "BEGIN "), RC: -1, start: r.now()})
		return
	case isFrame && strings.HasPrefix(rest, "END ") && cur != nil:
		f := strings.Fields(rest)
		if len(f) == 3 && f[1] == cur.Name && strings.HasPrefix(f[2], "rc=") {
			if rc, err := strconv.Atoi(strings.TrimPrefix(f[2], "rc=")); err == nil {
				cur.RC, cur.Took = rc, r.now().Sub(cur.start)
				if r.live != nil {
					r.live(cur)
				}
				return
			}
		}
	case isFrame && rest == "DONE" && cur == nil:
		r.Done = true
		return
	}
	if cur != nil {
		cur.Output = append(cur.Output, l)
	} else {
		r.Stray = append(r.Stray, l)
	}
}

// failed counts the steps that failed or never ended.
func (r *report) failed() int {
	n := 0
	for _, s := range r.Steps {
		if !s.Passed() {
			n++
		}
	}
	return n
}

// summary prints the output of each failing step (unless it was printed
// as it came), then what was skipped and why.
func (r *report) summary(w io.Writer, failing bool) {
	for _, s := range r.Steps {
		if failing && !s.Passed() {
			fmt.Fprintf(w, "----- output of %s (%s) -----\n", s.Name, s.status())
			for _, l := range s.Output {
				fmt.Fprintln(w, l)
			}
			fmt.Fprintf(w, "----- end of %s -----\n", s.Name)
		}
	}
	for _, s := range r.Steps {
		for _, sk := range s.Skips() {
			fmt.Fprintf(w, "vmtest: %s skipped %s\n", s.Name, sk)
		}
	}
	if len(r.Stray) > 0 {
		fmt.Fprintf(w, "vmtest: the VM also said:\n  %s\n", strings.Join(r.Stray, "\n  "))
	}
}

// status is PASS or FAIL with why.
func (s *step) status() string {
	switch s.RC {
	case 0:
		return "PASS"
	case -1:
		return "FAIL, did not finish"
	}
	return fmt.Sprintf("FAIL, exit status %d", s.RC)
}
