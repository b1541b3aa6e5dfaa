package commands

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hood/internal/box"
	"hood/internal/caps"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const capExecUsage = "caps exec NAME|PATH [ARGS...]"

func init() {
	register(&Command{UsageLine: capExecUsage, Short: "the current box runs a program (hood's copy NAME) and hood shows the capabilities it gained at execve",
		Long: `hood opens the file (NAME: its copy made by caps file NAME CAP=FLAGS)
and sends the descriptor to the current box, whose child runs it with
fexecve (execveat(3, "", ..., AT_EMPTY_PATH)): the box's user need not be
able to reach hood's state directory by path. hood reads CapPrm and CapEff
of the box (what its child holds before execve) and of the program after
execve, from /proc, and names what execve added. Run by a box started with
--uid 1000, a copy with cap_dac_read_search=ep gains exactly that and
stays uid 1000: unlike a set-user-ID-root program, which becomes uid 0
and, as root, gets every capability of the bounding set. no_new_privs and
a nosuid mount stop both.`,
		Args: []Arg{ArgWord}, Run: capExec})
}

func capExec(s *Session, args []string) (*result.Result, error) {
	if len(args) == 0 {
		return nil, result.Usagef(capExecUsage, "name hood's copy (caps file NAME CAP=ep makes one) or give a path")
	}
	path, err := s.capFilePath(args[0])
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	raw, c := caps.ReadFile(s.HoodPID, path)
	r.Add(c)
	fc, ferr := caps.DecodeFile(raw)
	if ferr != nil {
		r.Say("file", "%s has no file capabilities", path)
	} else {
		r.Say("file", "%s %s", path, fc.Text())
	}
	before, err := s.Proc().Status(b.PID)
	if err != nil {
		return r, err
	}
	if before.NoNewPrivs {
		r.Say("warning", "%s has no_new_privs set: execve grants no file capabilities (nor set-user-ID)", b.Name)
	}
	if nosuid, err := caps.NoSuid(path); err == nil && nosuid {
		r.Say("warning", "%s is on a nosuid mount: execve ignores its file capabilities", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	r.Say("fd", "hood opened %s and sent it to %s: its child runs that very file as fd 3", path, b.Name)
	argv := append([]string{filepath.Base(path)}, args[1:]...)
	var after procfs.Status
	var afterErr error
	rr, err := s.spawnWith(b, argv, func(stdio [3]*os.File, fg bool) (box.Spawned, error) {
		return b.SpawnFile(f, argv, s.Env, stdio, fg)
	}, func(pid int) { after, afterErr = execDone(s.Proc(), pid) })
	if rr != nil {
		r.Syscalls = append(r.Syscalls, rr.Syscalls...)
		r.Lines = append(r.Lines, rr.Lines...)
	}
	// How the program ended is in the exit or killed line: what it was
	// granted is the point, whatever its status.
	var ee *ExitError
	if errors.As(err, &ee) {
		err = nil
	}
	if afterErr != nil || after.PID == 0 {
		if err == nil && afterErr != nil {
			err = afterErr
		}
		return r, err
	}
	r.Table = &result.Table{Header: []string{"", b.Name + " (before execve)", argv[0] + " (after execve)"}}
	r.Table.Rows = [][]string{
		{"uid", fmt.Sprint(before.Uid.Effective), fmt.Sprint(after.Uid.Effective)},
		{"CapPrm", fmt.Sprintf("%016x %s", before.CapPrm, caps.Words(before.CapPrm)), fmt.Sprintf("%016x %s", after.CapPrm, caps.Words(after.CapPrm))},
		{"CapEff", fmt.Sprintf("%016x %s", before.CapEff, caps.Words(before.CapEff)), fmt.Sprintf("%016x %s", after.CapEff, caps.Words(after.CapEff))},
	}
	gained := after.CapEff &^ before.CapEff
	r.Shell = fmt.Sprintf("setpriv --reuid %d --regid %d --clear-groups %s   # uid %d must reach the path; then grep Cap /proc/PID/status",
		before.Uid.Effective, before.Gid.Effective, strings.Join(append([]string{path}, args[1:]...), " "), before.Uid.Effective)
	want := fc.Grant(before.CapInh, before.CapBnd)
	switch {
	case gained != 0 && ferr == nil && after.CapPrm == want:
		r.Meaning = fmt.Sprintf("At execve of %s the kernel gave process %d %s (CapEff %016x), still as uid %d: exactly what the file's security.capability grants within %s's sets ((inheritable & file inheritable) | (file permitted & bounding)). A set-user-ID-root program would have run with effective uid 0 instead and, as root, every capability of the bounding set.",
			path, after.PID, caps.Words(gained), after.CapEff, after.Uid.Effective, b.Name)
	case gained != 0:
		r.Meaning = fmt.Sprintf("At execve of %s the kernel gave process %d %s (CapEff %016x), still as uid %d; from the file and %s's sets hood expected a permitted set of %s.",
			path, after.PID, caps.Words(gained), after.CapEff, after.Uid.Effective, b.Name, caps.Words(want))
	case before.Uid.Effective == 0 && after.Uid.Effective == 0:
		r.Meaning = fmt.Sprintf("%s runs as root and holds its capabilities already, so the file added none: run it from a box started with --uid 1000 to see what the file alone grants.", b.Name)
	case ferr == nil && before.NoNewPrivs:
		r.Meaning = "The program gained nothing: no_new_privs makes execve ignore file capabilities."
	default:
		r.Meaning = fmt.Sprintf("The program gained no capability at execve (CapEff %016x).", after.CapEff)
	}
	return r, err
}

// execDone reads a program's status once its execve is over: the kernel
// commits the new credentials late in execve, after closing the
// descriptors that tell the box the exec worked, so hood waits (up to a
// second) until the program is no longer running or in uninterruptible
// sleep (it waits for input, or has exited: a zombie keeps its
// credentials until it is reaped).
func execDone(proc procfs.FS, pid int) (procfs.Status, error) {
	deadline := time.Now().Add(time.Second)
	for {
		st, err := proc.Status(pid)
		if err != nil || (st.State != 'R' && st.State != 'D') || time.Now().After(deadline) {
			return st, err
		}
		time.Sleep(time.Millisecond)
	}
}

// CapCopy is the path of hood's copy NAME made by caps file, if there is one.
func (s *Session) CapCopy(name string) (string, bool) {
	c, _, err := s.capCopies()
	if err != nil {
		return "", false
	}
	p := c.Path(name)
	if _, err := os.Stat(p); err != nil {
		return p, false
	}
	return p, true
}

// ExecStatus runs the file path in box b with argv, its stdio /dev/null,
// and returns its /proc status once its execve is over (lab checks).
func ExecStatus(proc procfs.FS, b *box.Box, path string, argv []string) (procfs.Status, error) {
	f, err := os.Open(path)
	if err != nil {
		return procfs.Status{}, err
	}
	defer f.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return procfs.Status{}, err
	}
	defer null.Close()
	sp, err := b.SpawnFile(f, argv, []string{"PATH=/usr/bin:/bin"}, [3]*os.File{null, null, null}, false)
	if err != nil {
		return procfs.Status{}, err
	}
	if sp.Fork.Failed() {
		return procfs.Status{}, fmt.Errorf("fork in %s: %s", b.Name, sp.Fork.ErrName())
	}
	var st procfs.Status
	if !sp.ExecFails {
		st, err = execDone(proc, sp.PID)
	}
	if _, _, werr := b.Wait(sp); err == nil {
		err = werr
	}
	if sp.ExecFails && err == nil {
		err = fmt.Errorf("execveat of %s in %s: %s", path, b.Name, sp.Exec.ErrName())
	}
	return st, err
}

// copyExecErr is err, the refused exec of prog, with the way out when
// prog is one of hood's copies: they are in a directory only root may
// enter, and caps exec runs one from a descriptor instead.
func (s *Session) copyExecErr(prog string, err error) error {
	c, _, cerr := s.capCopies()
	ke, ok := err.(*result.KernelError)
	if cerr != nil || !ok || ke.ErrName != "EACCES" || !strings.HasPrefix(prog, c.Dir+"/") {
		return err
	}
	ke.Meaning = fmt.Sprintf("%s is hood's copy, in %s, a directory only root may search (so no other user reaches a program that grants capabilities by its path)", prog, c.Dir)
	ke.Fix = "caps exec " + filepath.Base(prog) + " ARGS: the box runs the copy from a descriptor hood sends"
	return err
}
