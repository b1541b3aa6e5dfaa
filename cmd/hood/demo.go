package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"hood/commands"
	"hood/demo"
	"hood/internal/render"
	"hood/labs"
	"hood/repl"
)

const demoUsage = `usage: hood demo [NAME | FILE.demo] [--auto [--pace MS]] [--notes TTY] [--big]
                 [--record FILE.cast]
       hood demo lab:ID ... | hood demo --list | hood demo --check-all
       hood demo --from-history [--file F]

Plays a demo: hood commands one per line, with # captions, #! speaker
notes and pause lines between them (docs/demo.md). With no NAME, the
five-minute talk ` + demo.First + `.

  any key     types the next few characters of the command; Enter runs it
  s  q  !     before typing: skip the step, quit, the live prompt (Ctrl-D back)
  --auto      play without waiting, a character every --pace MS (40)
  --notes TTY the speaker notes on a second terminal (run tty there)
  --big       for a projector: short narration, lines of at most 72 columns
  --list      the demos that come with hood
  --check-all play every built-in demo with --auto, as CI does
  --from-history  the last session typed at hood's prompt, as a demo
              (on stdout, or in a new file F)`

// demoStart is a demo to play once the session is up.
type demoStart struct {
	d    repl.Demo
	rest []string // the remaining hood options (--no-color, --big)
}

// demoArgs handles hood demo ...: --list, --check-all and bad arguments
// end here (done); otherwise the demo to play.
func demoArgs(args []string) (ds *demoStart, status int, done bool) {
	ds = &demoStart{d: repl.Demo{Pace: 40 * time.Millisecond}}
	var name, notes, file string
	list, checkAll, fromHistory := false, false, false
	fail := func(format string, a ...any) (*demoStart, int, bool) {
		fmt.Fprintf(os.Stderr, "hood demo: "+format+"\n", a...)
		return nil, 2, true
	}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--auto":
			ds.d.Auto = true
		case a == "--list":
			list = true
		case a == "--check-all":
			checkAll = true
		case a == "--from-history":
			fromHistory = true
		case a == "--help" || a == "-h":
			fmt.Println(demoUsage)
			return nil, 0, true
		case a == "--pace" || a == "--notes" || a == "--file":
			if i+1 >= len(args) {
				return fail("%s needs a value\n%s", a, demoUsage)
			}
			i++
			switch a {
			case "--notes":
				notes = args[i]
				continue
			case "--file":
				file = args[i]
				continue
			}
			ms, err := strconv.Atoi(args[i])
			if err != nil || ms < 0 || ms > 5000 {
				return fail("--pace takes milliseconds per character, 0 to 5000, not %q", args[i])
			}
			ds.d.Pace = time.Duration(ms) * time.Millisecond
		case a == "--no-color" || a == "--color" || a == "--big":
			ds.rest = append(ds.rest, a) // hood's own, for the session
		case strings.HasPrefix(a, "-"):
			return fail("unknown option %q\n%s", a, demoUsage)
		case name == "":
			name = a
		default:
			return fail("one demo at a time (got %q and %q)", name, a)
		}
	}
	switch {
	case fromHistory:
		return nil, demoFromHistory(file), true
	case file != "":
		return fail("--file goes with --from-history (the file to write the demo to)")
	case list:
		return nil, demoList(), true
	case checkAll:
		return nil, demoCheckAll(ds.rest), true
	}
	s, err := loadDemo(name)
	if err != nil {
		return fail("%v", err)
	}
	if miss := labs.Missing(s.Needs); len(miss) > 0 {
		fmt.Fprintf(os.Stderr, "hood demo: %s cannot run on this machine: %s\n", s.Name, strings.Join(miss, "; "))
		return nil, 3, true
	}
	ds.d.Script = s
	if notes != "" {
		f, err := openNotes(notes)
		if err != nil {
			return fail("%v", err)
		}
		ds.d.Notes = f
	}
	return ds, 0, false
}

// loadDemo is a built-in demo by name, or a demo file (a path: it has a
// slash or ends in .demo).
func loadDemo(name string) (*demo.Script, error) {
	if name == "" {
		name = demo.First
	}
	if id, ok := strings.CutPrefix(name, "lab:"); ok {
		all, err := labs.Builtin()
		if err != nil {
			return nil, err
		}
		l, err := labs.Find(all, id)
		if err != nil {
			return nil, err
		}
		return labs.Demo(l), nil
	}
	if !strings.Contains(name, "/") && !strings.HasSuffix(name, ".demo") {
		return demo.Find(name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not a text file: a demo is hood commands, one per line, in UTF-8 (docs/demo.md)", name)
	}
	s, err := demo.Parse(data, name)
	if err != nil {
		return nil, err
	}
	return s, commands.CheckDemo(s)
}

// openNotes opens the speaker's second terminal. It must be a terminal:
// hood writes notes nowhere else.
func openNotes(path string) (*os.File, error) {
	// O_NONBLOCK: a FIFO with no reader would block the open for good.
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("--notes: %w (give the terminal that `tty` names in a second window)", err)
	}
	if !term.IsTerminal(int(f.Fd())) {
		f.Close()
		return nil, fmt.Errorf("--notes: %s is not a terminal (give the terminal that `tty` names in a second window)", path)
	}
	if err := unix.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, fmt.Errorf("--notes: %w", err)
	}
	return f, nil
}

// demoList prints the built-in demos, wrapped to the terminal's width.
func demoList() int {
	all, err := demo.Builtin()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood demo:", err)
		return 1
	}
	w := width(term.IsTerminal(int(os.Stdout.Fd())))
	if w <= 0 {
		w = 80
	}
	for _, s := range all {
		can := "runs here"
		if miss := labs.Missing(s.Needs); len(miss) > 0 {
			can = "not here: " + strings.Join(miss, "; ")
		}
		fmt.Printf("%-24s %2d min, %d commands\n", s.Name, s.Minutes, s.Commands())
		for _, text := range []string{s.Title, can} {
			for _, l := range render.Wrap(text, w-4) {
				fmt.Println("    " + l)
			}
		}
	}
	for _, l := range render.Wrap("Every lab is a demo too, from its reference solution: hood demo lab:ID (hood -c 'lab list' names the labs). hood demo NAME plays one; hood demo FILE.demo plays your own (docs/demo.md).", w) {
		fmt.Println(l)
	}
	return 0
}

// demoCheckAll plays every built-in demo with --auto --pace 0, each in a
// hood of its own, and says which passed, failed, or cannot run here.
func demoCheckAll(opts []string) int {
	all, err := demo.Builtin()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood demo:", err)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood demo:", err)
		return 1
	}
	failed, passed, skipped := 0, 0, 0
	for _, s := range all {
		if miss := labs.Missing(s.Needs); len(miss) > 0 {
			fmt.Printf("SKIP  demo %-24s %s\n", s.Name, strings.Join(miss, "; "))
			skipped++
			continue
		}
		t0 := time.Now()
		cmd := exec.Command(exe, append([]string{"demo", s.Name, "--auto", "--pace", "0", "--no-color"}, opts...)...)
		cmd.Args[0] = "hood"
		out, err := cmd.CombinedOutput()
		if err != nil {
			failed++
			fmt.Printf("FAIL  demo %-24s %v; its output:\n%s\n", s.Name, err, out)
			continue
		}
		passed++
		fmt.Printf("ok    demo %-24s %d commands in %.1fs\n", s.Name, s.Commands(), time.Since(t0).Seconds())
	}
	fmt.Printf("%d demos passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		return 1
	}
	return 0
}

// playDemo plays the demo on the session, once box1 is up.
func playDemo(r *repl.Runner, s *commands.Session, ds *demoStart, interactive bool) int {
	d := ds.d
	if !d.Auto {
		if !interactive {
			fmt.Fprintln(os.Stderr, "hood demo: the speaker's keys drive a demo, and stdin is not a terminal: --auto plays it without them")
			return 2
		}
		d.Keys = os.Stdin
	}
	d.Expand = func(line string) string { return labs.Expand(s, line) }
	if d.Notes != nil {
		defer d.Notes.(*os.File).Close()
	}
	return r.Demo(&d)
}
