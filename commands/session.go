// Package commands is hood's command table and its handlers. Handlers act
// through the box and the kernel packages and return a result.Result; they
// never print.
package commands

import (
	"fmt"
	"hood/internal/kernel/netns"
	"os"
	"sort"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
	"hood/internal/kernel/procfs"
	"hood/internal/kernel/seccomp"
	"hood/internal/result"
)

// Session is the state one hood run carries between commands.
type Session struct {
	Boxes   []*box.Box
	Current *box.Box
	Narrate result.Narration // narrate brief|full|off; the zero value is brief
	// Stdio for the programs run starts, and whether stdin is a terminal
	// (then a program runs as the terminal's foreground job).
	Stdin, Stdout, Stderr *os.File
	Terminal              bool
	Env                   []string
	Done                  bool // exit was asked for
	HoodPID               int
	ProcRoot              string
	host                  links // hood's own namespaces, see hostLinks
	// Events are the syscalls every command made, in order, with the
	// kernel's answers: lab checks such as "fork answered ENOMEM" read them.
	Events []Event
	Pins   []Pin     // namespaces bind-mounted by ns pin, removed at Close
	pins   *box.Box  // the pin holder (see nsapi.go), started on first ns pin
	Lab    LabDriver // the guided lab in progress, if any
	// Measures are numbers workloads reported (burn.cpu_percent, ...), in
	// order: lab checks read them.
	Measures []Measure
	// Queue holds command lines to run next, as if typed (lab solve), and
	// QueueFrom the lab step whose reference solution they are.
	Queue     []string
	QueueFrom QueueOrigin
	hier      []cgroup.Hierarchy       // hood's cgroup hierarchies, read on first use
	groups    map[string]*cgroup.Group // box or group name -> its cgroup
	deleg     *cgroup.Delegation       // without root: hood's delegated scope, readied (cgdeleg.go)
	delegErr  error                    // why it could not be readied, once tried
	loops     []*loop.Device           // loop new
	pinsMark  string                   // the pin holder's owner mark, as journaled
	net       netState                 // net veth, ping (net.go)
	made      map[string]bool          // namespaces this hood's boxes unshared: "net:[N]" (unshare.go)
	userns    *userNS                  // without root: the user namespace of every box (rootless.go)
	// noUserNS: without root, why the session has no user namespace
	noUserNS string
	// netCalls: without root, the calls that handed hood a netlink socket
	// from inside a box during the current command (rootless.go)
	netCalls []result.Syscall
	netTold  bool // the first such command said why

	// seccomp deny: the filters hood installed on each box (seccomp.go)
	filters map[*box.Box][]seccomp.Filter

	devprogs map[*cgroup.Group]*devProg // hood's device program on each group (devbpf.go)
	exports  map[*box.Box][]exportStep  // box export: what changed each box (export.go)
	runcs    []*runcContainer           // rootfs runc (runccmd.go)

	seen    []string        // the words of the last output (saw.go)
	seenSet map[string]bool // the same, to keep each once
}

// Box finds a box by name, or nil.
func (s *Session) Box(name string) *box.Box { return s.find(name) }

// Links reads the /proc/PID/ns links of pid, decoded ("uts:[4026531838]").
func (s *Session) Links(pid int) (map[string]string, error) { return s.links(pid) }

// Proc is the proc filesystem hood reads, at ProcRoot.
func (s *Session) Proc() procfs.FS { return procfs.New(s.ProcRoot) }

// HostLinks are hood's own namespaces, the host's.
func (s *Session) HostLinks() (map[string]string, error) { return s.hostLinks() }

// QueueOrigin is a lab and one of its steps (from 1).
type QueueOrigin struct {
	Lab  string
	Step int
}

// Measure is one number a workload measured.
type Measure struct {
	Box   string
	Key   string
	Value float64
}

// Measure records a number a workload measured.
func (s *Session) Measure(key string, v float64) {
	who := ""
	if s.Current != nil {
		who = s.Current.Name
	}
	s.Measures = append(s.Measures, Measure{Box: who, Key: key, Value: v})
}

// Event is one syscall a command made, and which box was current.
type Event struct {
	Box string
	result.Syscall
}

// LabDriver runs guided labs; the labs package provides it. The command
// table only forwards the lab command to it and tells it about every other
// command, so the runner can check the step's effects after each one.
type LabDriver interface {
	Command(s *Session, args []string) (*result.Result, error)
	// After is called after every command that is not `lab`, whether it
	// failed or not, and returns what to show (a check passed, the next
	// step), or nil.
	After(s *Session) *result.Result
	// Active is the id of the lab in progress, or "" (for the prompt).
	Active() string
	// List is every lab as {id, title}, for completion.
	List() [][2]string
}

// NewSession returns a session with no box yet.
func NewSession() *Session {
	return &Session{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Env:      os.Environ(),
		HoodPID:  os.Getpid(),
		ProcRoot: "/proc",
	}
}

// Exec runs one command given as words.
func (s *Session) Exec(words []string) (*result.Result, error) {
	if len(words) == 0 {
		return &result.Result{}, nil
	}
	c, rest := Lookup(words)
	if c == nil {
		if g := Group(words[0]); len(g) > 0 {
			var names []string
			for _, c := range g {
				names = append(names, "  "+c.UsageLine)
			}
			if len(words) == 1 {
				return nil, &result.UsageError{Msg: fmt.Sprintf("%s needs a subcommand:\n%s", words[0], strings.Join(names, "\n"))}
			}
			return nil, &result.UsageError{Msg: fmt.Sprintf("unknown command %q; the %s commands are:\n%s", strings.Join(words[:2], " "), words[0], strings.Join(names, "\n"))}
		}
		msg := fmt.Sprintf("unknown command %q", words[0])
		if near := Nearest(words[0], 3); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return nil, &result.UsageError{Msg: msg + " (type help for the list)"}
	}
	s.netCalls = nil
	res, err := c.Run(s, rest)
	err = s.rootlessErr(err)
	res = s.withNetCalls(res)
	if err == nil {
		s.record(c, rest, res)
		s.rootlessNote(res)
	}
	if res != nil {
		who := ""
		if s.Current != nil {
			who = s.Current.Name
		}
		for _, sc := range res.Syscalls {
			s.Events = append(s.Events, Event{Box: who, Syscall: sc})
		}
		logCalls(res.Syscalls)
	}
	return res, err
}

// IsLabCommand reports whether words are a lab command, which the lab
// runner must not check after.
func IsLabCommand(words []string) bool {
	return len(words) > 0 && words[0] == "lab"
}

// Close kills every box and every process below them, and reaps them, as
// hood exits: nothing is left behind, not even a zombie.
func (s *Session) Close() {
	for _, b := range s.Boxes {
		s.thaw(b)
	}
	for _, b := range s.Boxes {
		_ = b.Kill()
	}
	for name := range s.groups {
		s.dropGroup(name)
	}
	s.closeRunc()
	s.Boxes = nil
	s.Current = nil
	s.closeLoops()
	s.closeNet()
	s.unpinAll()
	s.removeCapCopies()
	netns.RemoveOwned(s.HoodPID) // the names in /run/netns this hood made
	s.closeUserNS()
	s.closeDeleg() // last: the processes above (pin holders, runc) were in hood's leaf
}

// box returns the current box or an error saying how to get one.
func (s *Session) box() (*box.Box, error) {
	if s.Current == nil {
		return nil, &result.UsageError{Msg: "there is no current box: start one with `box new`"}
	}
	return s.Current, nil
}

// BoxNames lists the boxes' names, sorted.
func (s *Session) BoxNames() []string {
	var out []string
	for _, b := range s.Boxes {
		out = append(out, b.Name)
	}
	sort.Strings(out)
	return out
}

func (s *Session) find(name string) *box.Box {
	for _, b := range s.Boxes {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Prompt is the REPL prompt naming the current box.
func (s *Session) Prompt() string {
	name := "-"
	if s.Current != nil {
		name = s.Current.Name
	}
	if s.Lab != nil {
		if id := s.Lab.Active(); id != "" {
			name += " · lab " + id
			if st, ok := s.Lab.(interface{ Step() (n, of int) }); ok {
				if n, of := st.Step(); of > 0 {
					name += fmt.Sprintf(" %d/%d", n, of)
				}
			}
		}
	}
	return "hood[" + name + "]> "
}
