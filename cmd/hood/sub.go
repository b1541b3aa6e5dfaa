package main

import (
	"errors"
	"fmt"
	"hood/internal/rootless"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"hood/commands"
	"hood/internal/caps"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/netns"
	"hood/internal/oci"
	"hood/internal/render"
	"hood/internal/result"
	"hood/internal/rootfs"
	"hood/internal/statedir"
	"hood/labs"
)

// labStart is `hood lab ID` or `hood lab --file F`: hood starts as usual,
// then runs lab start ID first.
type labStart struct {
	id    string
	extra []*labs.Lab
	rest  []string // the remaining hood options (--no-color, ...)
}

// labArgs handles hood lab ...: --check-all and --check run here and end
// (done); the others return what to start.
func labArgs(args []string) (ls *labStart, status int, done bool) {
	ls = &labStart{}
	checkAll, check, verbose := false, false, false
	var file string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--check-all":
			checkAll = true
		case a == "--check":
			check = true
		case a == "-v" || a == "--verbose":
			verbose = true
		case a == "--file":
			if i+1 >= len(args) {
				fmt.Fprintln(os.Stderr, "hood lab: --file needs a lab file (YAML, see docs/labs.md)")
				return nil, 2, true
			}
			i++
			file = args[i]
		case strings.HasPrefix(a, "-"):
			ls.rest = append(ls.rest, a)
		case ls.id == "":
			ls.id = a
		default:
			fmt.Fprintf(os.Stderr, "hood lab: one lab at a time (got %q and %q)\n", ls.id, a)
			return nil, 2, true
		}
	}
	if checkAll {
		all, err := labs.Builtin()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood lab:", err)
			return nil, 1, true
		}
		if labs.CheckAll(all, os.Stdout, verbose) > 0 {
			return nil, 1, true
		}
		return nil, 0, true
	}
	if check && file == "" && ls.id != "" {
		// hood lab --check ID: one built-in lab's solution and checks.
		all, err := labs.Builtin()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood lab:", err)
			return nil, 1, true
		}
		l, err := labs.Find(all, ls.id)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood lab:", err)
			return nil, 2, true
		}
		if labs.CheckAll([]*labs.Lab{l}, os.Stdout, verbose) > 0 {
			return nil, 1, true
		}
		return nil, 0, true
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood lab:", err)
			return nil, 1, true
		}
		l, err := labs.Parse(data, file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood lab:", err)
			return nil, 1, true
		}
		if check {
			if labs.CheckAll([]*labs.Lab{l}, os.Stdout, verbose) > 0 {
				return nil, 1, true
			}
			return nil, 0, true
		}
		ls.id, ls.extra = l.ID, []*labs.Lab{l}
	}
	if ls.id == "" {
		fmt.Fprintln(os.Stderr, "hood lab: name a lab (hood lab pid), or --file LAB.yaml, or --check-all\n"+usage)
		return nil, 2, true
	}
	return ls, 0, false
}

// cleanup removes what hoods that were killed left behind: namespace pins
// and empty box cgroups.
func cleanup(args []string) int {
	dry, verbose := false, false
	for _, a := range args {
		switch a {
		case "--dry-run", "-n":
			dry = true
		case "-v", "--verbose":
			verbose = true
		default:
			fmt.Fprintf(os.Stderr, "hood cleanup: unknown argument %q: it takes --dry-run (list, remove nothing) and -v (name each thing removed)\n", a)
			return 2
		}
	}
	paras, each := journalCleanup(dry, 3*time.Second)
	for _, p := range paras {
		fmt.Println(p)
	}
	if verbose {
		for _, e := range each {
			fmt.Println("  " + e)
		}
	}
	if dry {
		if len(paras) == 0 {
			fmt.Println("hood cleanup: no journal of a hood that is gone names anything left behind")
		}
		return 0
	}
	// The second check: owner marks, for what no journal names (a hood
	// older than the journal, or killed between a mark and its line).
	removed := cleanupStale(0)
	if len(removed) > 0 {
		fmt.Println("Found by owner marks, not in a journal, and removed: " + strings.Join(removed, ", ") + ".")
	}
	if len(paras) == 0 && len(removed) == 0 {
		fmt.Println("hood cleanup: nothing left behind")
	}
	return 0
}

// cleanupStale removes the empty hood/ cgroups, the /run/netns names and
// the host veth ends of hoods that are gone (namespace pins need no
// cleanup: they die with
// hood's pin holder).
func cleanupStale(minAge time.Duration) []string {
	removed := netns.CleanupStale()
	// The runc containers of a dead hood go first: runc delete removes
	// their cgroups, which the sweep below would find in use.
	if dir, _, _, err := statedir.Dir(); err == nil {
		gone, err := oci.CleanupStale(dir, cgroup.Gone)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hood: cleaning up runc containers:", err)
		}
		removed = append(removed, gone...)
	}
	if hs, err := cgroup.Hierarchies("/proc", os.Getpid()); err == nil {
		dirs, err := cgroup.CleanupStale(hs, minAge)
		// Without root the groups root's hoods left are not ours to
		// remove, and no rootless hood made them: say nothing of them.
		if err != nil && !(rootless.Active() && errors.Is(err, fs.ErrPermission)) {
			fmt.Fprintln(os.Stderr, "hood: cleaning up cgroups:", err)
		}
		removed = append(removed, dirs...)
	}
	// Half-made root filesystems of a hood killed during rootfs make or
	// import (rootfs.Open sweeps them too).
	if dir, _, _, err := statedir.Dir(); err == nil {
		removed = append(removed, rootfs.At(filepath.Join(dir, "rootfs")).Sweep()...)
		// Copies given file capabilities by a hood that is gone.
		removed = append(removed, caps.Sweep(dir, cgroup.Gone)...)
	}
	// The host ends of veth pairs a dead hood made (their alias names it).
	// Without root there is nothing to sweep: no hood could make them
	// (a link in the host's network namespace needs CAP_NET_ADMIN there),
	// nor remove them, and the sweep's netlink socket needs setns into it.
	if rootless.Active() {
		return removed
	}
	devs, err := netdev.CleanupStale("/proc", func(tok string) bool { return !cgroup.Gone(tok) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood: cleaning up veth pairs:", err)
	}
	for _, d := range devs {
		removed = append(removed, "veth "+d+" (and its peer)")
	}
	return removed
}

// explainMain is hood explain WORD [--more], outside the REPL: no box.
func explainMain(args []string) int {
	more := false
	var words []string
	for _, a := range args {
		if a == "--more" {
			more = true
		} else {
			words = append(words, a)
		}
	}
	color := term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""
	r, err := commands.Explain(strings.Join(words, " "), more)
	if err != nil {
		(&render.Renderer{W: os.Stderr, Color: color}).Error(err)
		return 1
	}
	(&render.Renderer{W: os.Stdout, Color: color}).Result(r, result.NarrateFull)
	return 0
}

// doctorMain is hood doctor [--json]: the checks, without a box. It exits
// 0 only when every lab runs as the user who ran hood (root if root).
func doctorMain(args []string) int {
	color := term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""
	r, ok, err := commands.Doctor(args)
	if err != nil {
		(&render.Renderer{W: os.Stderr, Color: color}).Error(err)
		return 2
	}
	w := width(term.IsTerminal(int(os.Stdout.Fd()))) // the terminal's, or COLUMNS
	if w <= 0 {
		w = 80 // a pipe: the table still fits a workshop's screen
	}
	(&render.Renderer{W: os.Stdout, Color: color, Width: w}).Result(r, result.NarrateFull)
	if !ok {
		return 1
	}
	return 0
}
