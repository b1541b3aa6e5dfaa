package labs

import (
	"fmt"
	"hood/internal/rootless"
	"os"
	"slices"
	"strconv"
	"strings"

	"hood/commands"
	"hood/internal/result"
)

// Driver runs one lab at a time inside a hood session: it implements
// commands.LabDriver. The labs and the progress file are read on first use,
// so a hood that runs no lab pays nothing for them at start.
type Driver struct {
	Labs     []*Lab
	Progress *Progress
	note     string // said once: the progress file was set aside
	loadErr  error

	lab     *Lab
	step    int
	hint    int
	skipped map[int]bool
	env     env
}

// NewDriver returns a driver for the built-in labs, plus extra (labs from
// files an instructor gave).
func NewDriver(extra ...*Lab) *Driver {
	return &Driver{Labs: extra}
}

// load reads the built-in labs and the progress file, once.
func (d *Driver) load() error {
	if d.Progress != nil {
		return d.loadErr
	}
	b, err := Builtin()
	if err != nil {
		d.loadErr = err
	}
	for _, l := range b {
		if _, err := Find(d.Labs, l.ID); err != nil {
			d.Labs = append(d.Labs, l)
		}
	}
	d.Progress, d.note = LoadProgress()
	return d.loadErr
}

// Active is the id of the lab in progress, or "".
func (d *Driver) Active() string {
	if d.lab == nil {
		return ""
	}
	return d.lab.ID
}

// Step is the step in progress, from 1, and how many the lab has (0, 0
// outside a lab; n is of+1 once the last is done), for the prompt.
func (d *Driver) Step() (n, of int) {
	if d.lab == nil {
		return 0, 0
	}
	return min(d.step+1, len(d.lab.Steps)), len(d.lab.Steps)
}

// List is every lab as {id, title}.
func (d *Driver) List() [][2]string {
	d.load()
	var out [][2]string
	for _, l := range d.Labs {
		out = append(out, [2]string{l.ID, l.Title})
	}
	return out
}

const labUsage = "lab list | start ID | check | hint | status | next | skip | reset | solve | quit"

// Command runs lab SUBCOMMAND.
func (d *Driver) Command(s *commands.Session, args []string) (*result.Result, error) {
	if len(args) == 0 {
		return nil, result.Usagef(labUsage, "say what to do")
	}
	if err := d.load(); err != nil {
		return nil, err
	}
	r, err := d.command(s, args)
	// A note about the progress file is said once, with the first answer.
	if d.note != "" && r != nil {
		r.Lines = append([]result.Line{{Key: "note", Value: d.note}}, r.Lines...)
		d.note = ""
	}
	return r, err
}

func (d *Driver) command(s *commands.Session, args []string) (*result.Result, error) {
	sub, rest := args[0], args[1:]
	if sub == "list" {
		return d.list(), nil
	}
	if sub == "start" {
		if len(rest) != 1 {
			return nil, result.Usagef("lab start ID", "name one lab (lab list shows them)")
		}
		l, err := Find(d.Labs, rest[0])
		if err != nil {
			return nil, &result.UsageError{Msg: err.Error()}
		}
		return d.Start(s, l)
	}
	if d.lab == nil {
		return nil, &result.UsageError{Msg: "no lab is in progress: `lab list` shows the labs, `lab start ID` starts one"}
	}
	switch sub {
	case "check":
		return d.check(s, true), nil
	case "hint":
		st := d.lab.Steps[d.step]
		h := st.Hints[d.hint%len(st.Hints)]
		d.hint++
		return &result.Result{Text: fmt.Sprintf("hint %d/%d: %s", (d.hint-1)%len(st.Hints)+1, len(st.Hints), d.env.expand(h))}, nil
	case "status":
		return d.status(), nil
	case "next", "skip":
		d.skipped[d.step] = true
		r := &result.Result{Text: fmt.Sprintf("Skipped step %d: %s.", d.step+1, d.lab.Steps[d.step].Title)}
		d.advance(s, r)
		return r, nil
	case "reset":
		l := d.lab
		d.Progress.Set(l.ID, &LabProgress{})
		return d.Start(s, l)
	case "solve":
		st := d.lab.Steps[d.step]
		s.QueueFrom = commands.QueueOrigin{Lab: d.lab.ID, Step: d.step + 1}
		for _, line := range st.Solution {
			s.Queue = append(s.Queue, d.env.expand(line))
		}
		return &result.Result{Text: fmt.Sprintf("Typing the reference solution of step %d:", d.step+1)}, nil
	case "quit":
		id := d.lab.ID
		d.save()
		d.lab = nil
		fresh(s)
		return &result.Result{Text: fmt.Sprintf("Left lab %s; its boxes are gone and box1 is a fresh box in the host's namespaces. `lab start %s` resumes where you were.", id, id)}, nil
	}
	return nil, result.Usagef(labUsage, "unknown lab command %q", sub)
}

// fresh closes every box (and what the session made: pins, cgroups) and
// starts a new box1.
func fresh(s *commands.Session) error {
	s.Close()
	s.Events = nil
	_, err := s.StartFirst("box1")
	return err
}

// Start begins l, or resumes it where the learner left it: the earlier
// steps' reference solutions are replayed quietly to rebuild their state.
func (d *Driver) Start(s *commands.Session, l *Lab) (*result.Result, error) {
	if miss := missing(l.Needs, l.Rootless); len(miss) > 0 {
		return nil, &result.UsageError{Msg: fmt.Sprintf("lab %s cannot run on this machine:\n  - %s", l.ID, strings.Join(miss, "\n  - "))}
	}
	if err := fresh(s); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	d.lab, d.step, d.hint, d.skipped = l, 0, 0, map[int]bool{}
	d.env = env{s: s, hostHostname: host}
	r := &result.Result{}
	var b strings.Builder
	fmt.Fprintf(&b, "Lab %s: %s (about %d minutes)\n\n%s\n", l.ID, l.Title, l.Minutes, strings.TrimSpace(l.Intro))
	p := d.Progress.Get(l.ID)
	switch {
	case p.Done:
		fmt.Fprintf(&b, "\nYou finished this lab before; here it is again from the start.\n")
		d.Progress.Set(l.ID, &LabProgress{})
	case p.Step > 0 && p.Step < len(l.Steps):
		replay(s, l, p.Step)
		fmt.Fprintf(&b, "\nResuming at step %d: the reference solutions of steps 1-%d were replayed to rebuild their state.\n", p.Step+1, p.Step)
		d.step = p.Step
		for _, i := range p.Skipped {
			d.skipped[i] = true
		}
	}
	d.env.mark, d.env.measureMark = len(s.Events), len(s.Measures)
	r.Text = b.String()
	d.showStep(s, r)
	d.save()
	return r, nil
}

// replay runs the solutions of the first n steps without output. Their
// failures are not reported: some are the point of a step (ENOMEM, EPERM).
func replay(s *commands.Session, l *Lab, n int) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer null.Close()
	out, errw := s.Stdout, s.Stderr
	s.Stdout, s.Stderr = null, null
	defer func() { s.Stdout, s.Stderr = out, errw }()
	e := env{s: s}
	for _, st := range l.Steps[:n] {
		for _, line := range st.Solution {
			cmds, _ := commands.Split(e.expand(line))
			for _, words := range cmds {
				_, _ = s.Exec(words)
			}
		}
	}
}

// showStep appends the current step's text, skipping steps this machine
// cannot do, and saying so.
func (d *Driver) showStep(s *commands.Session, r *result.Result) {
	for d.step < len(d.lab.Steps) {
		st := d.lab.Steps[d.step]
		if miss := missing(st.Needs, st.Rootless); len(miss) > 0 {
			d.skipped[d.step] = true
			r.Text += fmt.Sprintf("\nStep %d (%s) is skipped on this machine: %s\n", d.step+1, st.Title, strings.Join(miss, "; "))
			d.step++
			continue
		}
		r.Text += "\n" + d.stepText(st)
		d.env.mark, d.env.measureMark = len(s.Events), len(s.Measures)
		d.hint = 0
		return
	}
	d.finish(r)
}

func (d *Driver) stepText(st Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "── Step %d/%d: %s ──\n%s\n", d.step+1, len(d.lab.Steps), st.Title, strings.TrimSpace(d.env.expand(st.Text)))
	if len(st.Try) > 0 {
		var tries []string
		for _, t := range st.Try {
			tries = append(tries, d.env.expand(t))
		}
		fmt.Fprintf(&b, "  try: %s\n", strings.Join(tries, "   then: "))
	}
	b.WriteString("  (lab hint for help, lab solve to see it done, lab check to test now)")
	return b.String()
}

// After checks the current step after a command; when it holds, it says so
// and moves on.
func (d *Driver) After(s *commands.Session) *result.Result {
	if d.lab == nil {
		return nil
	}
	r := d.check(s, false)
	if d.note != "" {
		r.Lines = append(r.Lines, result.Line{Key: "note", Value: d.note})
		d.note = ""
	}
	if r.Text == "" && len(r.Lines) == 0 {
		return nil
	}
	return r
}

// check evaluates the step's checks. Verbose reports every check; otherwise
// only a step that is done is reported.
func (d *Driver) check(s *commands.Session, verbose bool) *result.Result {
	st := d.lab.Steps[d.step]
	r := &result.Result{}
	all := true
	var lines []string
	for _, c := range st.Checks {
		if !all && (c.probes() || !verbose) {
			// After a failed check, a check that starts a process in
			// the box (which may change it: a time namespace's offsets
			// are fixed once a process is in it) is not run at all.
			if verbose {
				lines = append(lines, fmt.Sprintf("  · %s (checked once the checks above hold)", c.said(&d.env)))
			}
			continue
		}
		ok, detail := c.eval(&d.env)
		mark := "✗"
		if ok {
			mark = "✓"
		} else {
			all = false
		}
		lines = append(lines, fmt.Sprintf("  %s %s (%s)", mark, c.said(&d.env), detail))
	}
	if !all {
		if verbose {
			r.Text = fmt.Sprintf("Step %d/%d is not done yet:\n%s", d.step+1, len(d.lab.Steps), strings.Join(lines, "\n"))
		}
		return r
	}
	r.Text = fmt.Sprintf("✓ Step %d done: %s\n%s", d.step+1, st.Title, strings.Join(lines, "\n"))
	d.advance(s, r)
	return r
}

func (d *Driver) advance(s *commands.Session, r *result.Result) {
	d.step++
	d.showStep(s, r)
	d.save()
}

func (d *Driver) finish(r *result.Result) {
	l := d.lab
	r.Text += fmt.Sprintf("\n★ Lab %s finished.", l.ID)
	if n := len(d.skipped); n > 0 {
		r.Text += fmt.Sprintf(" (%d step(s) skipped.)", n)
	}
	if l.Outro != "" {
		r.Text += "\n" + strings.TrimSpace(l.Outro)
	}
	if next, err := Find(d.Labs, l.Next); err == nil {
		r.Text += fmt.Sprintf("\nNext: lab start %s (%s).", next.ID, next.Title)
	}
	d.Progress.Set(l.ID, &LabProgress{Done: true, Step: len(l.Steps)})
	d.persist()
	d.lab = nil
}

func (d *Driver) save() {
	if d.lab == nil {
		return
	}
	var sk []int
	for i := range d.skipped {
		sk = append(sk, i)
	}
	d.Progress.Set(d.lab.ID, &LabProgress{Step: d.step, Skipped: sk})
	d.persist()
}

// persist writes the progress file; when that fails, hood says so once and
// goes on without saving (the lab itself is unaffected).
func (d *Driver) persist() {
	if err := d.Progress.Save(); err != nil {
		d.note = fmt.Sprintf("lab progress cannot be saved to %s: %v; going on without saving it", d.Progress.path, err)
		d.Progress.why = err.Error()
		d.Progress.path = ""
	}
}

func (d *Driver) status() *result.Result {
	var b strings.Builder
	fmt.Fprintf(&b, "Lab %s: %s\n", d.lab.ID, d.lab.Title)
	for i, st := range d.lab.Steps {
		mark := " "
		switch {
		case d.skipped[i]:
			mark = "-"
		case i < d.step:
			mark = "✓"
		case i == d.step:
			mark = "▶"
		}
		fmt.Fprintf(&b, "  %s %d. %s\n", mark, i+1, st.Title)
	}
	if d.Progress.Path() != "" {
		fmt.Fprintf(&b, "Progress is saved in %s.", d.Progress.Path())
	} else {
		b.WriteString("Progress is not saved: " + d.Progress.Why())
	}
	return &result.Result{Text: b.String()}
}

// stepsSkipped is how many of l's steps this machine cannot run.
func stepsSkipped(l *Lab) int {
	n := 0
	for _, st := range l.Steps {
		if len(missingNames(st.Needs)) > 0 {
			n++
		}
	}
	return n
}

func (d *Driver) list() *result.Result {
	t := &result.Table{Header: []string{"id", "title", "min", "needs", "this machine", "progress"}}
	for _, l := range d.Labs {
		can := "ready"
		if miss := missingNames(l.Needs); len(miss) > 0 {
			can = "no: lacks " + strings.Join(miss, ", ")
		} else if n := stepsSkipped(l); n > 0 {
			can = fmt.Sprintf("%d of %d steps", len(l.Steps)-n, len(l.Steps))
		}
		if rootless.Active() && can != "ready" && slices.Contains(missingNames(l.Needs), "root") {
			can = "no: needs real root"
		} else if rootless.Active() && !strings.HasPrefix(can, "no") {
			can += " rootless"
		}
		prog := "-"
		p := d.Progress.Get(l.ID)
		switch {
		case p.Done:
			prog = "done"
		case p.Step > 0:
			prog = "step " + strconv.Itoa(p.Step+1) + "/" + strconv.Itoa(len(l.Steps))
		}
		needs := strings.Join(l.Needs, ",")
		if needs == "" {
			needs = "-"
		}
		t.Rows = append(t.Rows, []string{l.ID, l.Title, strconv.Itoa(l.Minutes), needs, can, prog})
		t.Mark = append(t.Mark, d.lab == l)
	}
	return &result.Result{Table: t, Lines: []result.Line{{Key: "start", Value: "lab start ID (a lab this machine cannot run says what it lacks and how to get it)"}}}
}
