package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"hood/commands"
	"hood/internal/box"
	"hood/internal/journal"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/host"
	"hood/internal/render"
	"hood/labs"
	"hood/repl"
)

const usage = `usage: hood [--no-color] [--record FILE.cast [--overwrite]] [-c 'CMD; CMD...' | FILE.hood]
       hood lab ID | hood lab --check ID | hood lab --file LAB.yaml [--check] | hood lab --check-all [-v]
       hood demo [NAME | FILE.demo] [--auto] ... (hood demo --help) | hood demo --list
       hood explain WORD | hood cleanup [--dry-run] [-v] | hood doctor [--json]
       hood --version | --help

hood is a shell for driving Linux namespaces by hand: each command makes the
real syscalls on a box process and narrates what changed.

  (no arguments)  interactive on a terminal; line mode when stdin is a pipe
  -c 'CMDS'       run the commands (separated by ; or newlines) and exit
  FILE.hood       run the commands in FILE, one per line, # for comments
  --no-color      no colour (also when NO_COLOR is set); --color forces it
  --record F.cast record what the terminal shows, as asciicast v2 (asciinema
                  play F.cast replays it), a marker at each command line;
                  with any hood run; --overwrite replaces an existing F
  --big           for a projector: short narration, lines of at most 72 columns
  demo NAME       play a demo script for a talk (hood demo --list shows them)
  lab ID          start straight into a guided lab (lab list inside hood shows them)
  lab --check-all run every lab's reference solution, checking each step
  lab --check ID  the same for one lab
  explain WORD    what a word hood shows means (CLONE_NEWUTS, cpu.max, EBUSY, ...)
  cleanup         remove what a hood that was killed left behind (cgroups,
                  /run/netns names, host ends of veth pairs, ...), named
                  from its journal; --dry-run lists it and removes nothing,
                  -v names each thing removed
  doctor          what this machine gives hood, and which labs run here as
                  root and as you (--json for scripts; exit 0: every lab runs)

In line mode hood stops at the first failing command and exits non-zero.
Inside hood, type help.`

// Main runs hood with the given arguments and returns its exit status.
func Main(args []string) int {
	// Runs that end before starting box1 release the box forked for it.
	defer box.ReleaseUnused()
	if file, overwrite, rest, found, err := recordArgs(args); err != nil {
		fmt.Fprintln(os.Stderr, "hood:", err)
		return 2
	} else if found {
		return record(file, overwrite, rest)
	}
	colorFlag := ""
	big := false // --big: for a projector
	var script, file string
	haveScript := false
	var startLab *labStart
	if len(args) > 0 && args[0] == "cleanup" {
		return cleanup(args[1:])
	}
	if len(args) > 0 && args[0] == "doctor" {
		return doctorMain(args[1:])
	}
	if len(args) > 0 && args[0] == "explain" {
		return explainMain(args[1:])
	}
	// What this hood makes outside its processes is journaled from here
	// on (internal/journal); the journal goes at a clean exit.
	begin := func() {
		if err := journal.Begin(); err != nil {
			fmt.Fprintln(os.Stderr, "hood: no journal of what this hood makes (a SIGKILL would leave it to the owner marks):", err)
		}
	}
	defer endJournal()
	var startDemo *demoStart
	if len(args) > 0 && args[0] == "demo" {
		ds, status, done := demoArgs(args[1:])
		if done {
			return status
		}
		startDemo, args = ds, ds.rest
	}
	if len(args) > 0 && args[0] == "lab" {
		begin()
		ls, status, done := labArgs(args[1:])
		if done {
			return status
		}
		startLab, args = ls, ls.rest
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--version" || a == "-V":
			fmt.Println("hood", version)
			return 0
		case a == "--help" || a == "-h":
			fmt.Println(usage)
			return 0
		case a == "--no-color":
			colorFlag = "never"
		case a == "--color":
			colorFlag = "always"
		case a == "--big":
			big = true
		case a == "-c":
			if i+1 >= len(args) {
				fmt.Fprintln(os.Stderr, "hood: -c needs a command string\n"+usage)
				return 2
			}
			i++
			script, haveScript = args[i], true
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(os.Stderr, "hood: unknown option %q\n%s\n", a, usage)
			return 2
		case file == "":
			file = a
		default:
			fmt.Fprintf(os.Stderr, "hood: one script file at a time (got %q and %q)\n", file, a)
			return 2
		}
	}
	if haveScript && file != "" {
		fmt.Fprintln(os.Stderr, "hood: give -c or a FILE, not both")
		return 2
	}
	if startLab == nil {
		begin()
	}
	var in io.Reader
	switch {
	case haveScript:
		in = strings.NewReader(strings.ReplaceAll(script, "\n", ";\n"))
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hood: %v\n", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	stdinTTY := term.IsTerminal(int(os.Stdin.Fd()))
	stdoutTTY := term.IsTerminal(int(os.Stdout.Fd()))
	interactive := in == nil && stdinTTY && stdoutTTY
	if interactive {
		// go-prompt cannot draw on a terminal that reports no size.
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err != nil || w <= 0 {
			fmt.Fprintln(os.Stderr, "hood: the terminal reports no width (stty size says 0): reading commands line by line, without completion")
			interactive = false
		}
		// go-prompt reads /dev/tty: without a controlling terminal (su -c
		// starts a new session) opening it fails with ENXIO.
		if f, err := os.Open("/dev/tty"); err != nil {
			fmt.Fprintf(os.Stderr, "hood: no controlling terminal (%v): reading commands line by line, without completion\n", err)
			interactive = false
		} else {
			f.Close()
		}
	}
	if in == nil {
		in = os.Stdin
	}
	// A flag on the command line beats NO_COLOR, which beats the default
	// (colour on an interactive terminal), as no-color.org asks.
	useColor, errColor := interactive, interactive && term.IsTerminal(int(os.Stderr.Fd()))
	switch {
	case colorFlag == "always":
		useColor, errColor = true, true
	case colorFlag == "never" || os.Getenv("NO_COLOR") != "":
		useColor, errColor = false, false
	}

	s := commands.NewSession()
	s.Terminal = stdinTTY && stdoutTTY
	if startLab != nil {
		s.Lab = labs.NewDriver(startLab.extra...)
	} else {
		s.Lab = labs.NewDriver()
	}
	r := &repl.Runner{S: s,
		Out:   &render.Renderer{W: os.Stdout, Color: useColor, TTY: stdoutTTY},
		Err:   &render.Renderer{W: os.Stderr, Color: errColor},
		Width: func() int { return bigWidth(width(stdoutTTY), big) }}
	r.OnLine = castMarks(r.OnLine) // under hood --record (record.go)

	// Save the terminal as we found it: whatever happens, it goes back.
	var saved *term.State
	if stdinTTY {
		saved, _ = term.GetState(int(os.Stdin.Fd()))
		signal.Ignore(syscall.SIGTTOU)
	}
	restore := func() {
		if saved != nil {
			_ = term.Restore(int(os.Stdin.Fd()), saved)
		}
	}
	r.Restore = restore
	// signal.Notify takes about a millisecond the first time (the runtime
	// starts its signal thread), so in line mode it runs beside the first
	// command. A signal before it is in place still ends hood, and the
	// kernel still kills the boxes (PR_SET_PDEATHSIG).
	sigs := make(chan os.Signal, 1)
	notify := func() {
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	}
	if interactive {
		notify()
	}
	go func() {
		if !interactive {
			notify()
		}
		sig := <-sigs
		restore()
		s.Close()
		endJournal()
		fmt.Fprintf(os.Stderr, "\nhood: %v: boxes killed, exiting\n", sig)
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
	defer func() {
		s.Close()
		restore()
	}()

	// What a hood killed with SIGKILL left behind goes now, and is named.
	// It runs beside the first command: it removes only groups whose hood
	// is dead (or, unmarked, older than StaleAge), never this hood's.
	cleaned := make(chan struct{})
	go func() {
		defer close(cleaned)
		paras, _ := journalCleanup(false, 300*time.Millisecond)
		for _, p := range paras {
			fmt.Fprintln(os.Stderr, "hood: "+p)
		}
		if removed := cleanupStale(cgroup.StaleAge); len(removed) > 0 {
			fmt.Fprintf(os.Stderr, "hood: found by owner marks and removed what a hood that was killed left behind: %s\n", strings.Join(removed, ", "))
		}
	}()
	defer func() { <-cleaned }()
	first, err := s.StartFirst("box1")
	if err != nil {
		r.Out.Syscalls(first, s.Narrate)
		r.Err.Error(fmt.Errorf("cannot start the first box: %w", err))
		return 1
	}
	if s.Rootless() && (interactive || s.Delegated() != "") {
		// Without root the first box made the session's user namespace,
		// and hood may have left its delegated cgroup for a leaf: that is
		// worth seeing before the first prompt (or command).
		r.Out.Width = width(stdoutTTY)
		r.Out.Result(first, s.Narrate)
	} else if why := s.NoUserNS(); why != "" {
		fmt.Fprintf(os.Stderr, "hood: running without root and without a user namespace, so most namespace types will be refused: %s\n", why)
	}
	if startLab != nil {
		if !r.Line("lab start "+startLab.id) && !interactive {
			return 1
		}
	}
	if startDemo != nil {
		<-cleaned
		return playDemo(r, s, startDemo, interactive)
	}
	if interactive {
		// The leftovers' paragraph goes before the banner, not into the
		// prompt's line.
		<-cleaned
		r.Interactive("hood " + version + " · " + host.Read().String())
		return 0
	}
	return r.Lines(in)
}

// bigWidth is the width output may take with --big, for a projector:
// at most 72 columns, so that narration and tables stay narrow.
func bigWidth(w int, big bool) int {
	if big && (w == 0 || w > 72) {
		return 72
	}
	return w
}

// width is how many columns output may take, read before every command so
// that a resized terminal is honoured: the terminal's own width, else
// COLUMNS when set, else 0, no wrapping, so that what a script or a pipe
// gets does not depend on where it ran.
func width(stdoutTTY bool) int {
	if stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}
