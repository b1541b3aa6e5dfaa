package commands

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"

	"hood/internal/caps"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
	"hood/internal/statedir"
)

const capFileUsage = "caps file PATH [CAP[,CAP]=FLAGS|-]"

func init() {
	register(&Command{UsageLine: capFileUsage, Short: "read a program's file capabilities (security.capability, as getcap), or set them on hood's own copy (as setcap)",
		Long: `Without a change: getxattr(2) of PATH's security.capability, decoded
(revision, the effective bit, the permitted and inheritable sets, the
rootid of revision 3), as getcap(8) shows it. Any file may be read. A
NAME without a / is hood's copy of that name when there is one, else the
program on PATH.

With CAP[,CAP]=FLAGS (FLAGS from e, i, p; a leading + is allowed, as in
+cap_net_raw=ep) hood writes the attribute with fsetxattr(2), as setcap
does; - removes it (fremovexattr). Only on a file in hood's state
directory: a host program (ping, /usr/bin/cat) is first copied there, to
capfile/hood-PID-START/NAME (a directory only root can enter, removed
when hood ends), and the copy is changed. A host binary given a capability
would grant it to every user who runs it, for as long as it stays.
caps exec NAME then runs the copy in the current box.`,
		Args: []Arg{ArgWord, ArgWord}, Run: capFile})
}

// capCopies is this hood's directory of copies, in the state directory.
func (s *Session) capCopies() (caps.Copies, string, error) {
	state, uid, gid, err := statedir.Dir()
	if err != nil {
		return caps.Copies{}, "", fmt.Errorf("hood's state directory: %w", err)
	}
	tok := cgroup.Token(s.HoodPID)
	if tok == "" {
		return caps.Copies{}, "", errors.New("hood cannot read its own start time in /proc/self/stat")
	}
	return caps.CopiesDir(state, tok, uid, gid), state, nil
}

// removeCapCopies deletes this hood's copies (its exit).
func (s *Session) removeCapCopies() {
	if c, _, err := s.capCopies(); err == nil {
		_ = c.Remove()
	}
}

// capFilePath finds the file caps file reads: hood's copy NAME, else
// NAME on PATH, else the path as given.
func (s *Session) capFilePath(arg string) (string, error) {
	if arg == "" {
		return "", result.Usagef(capFileUsage, "the path is empty: name a program, such as cat, or give a path")
	}
	if !strings.Contains(arg, "/") {
		if c, _, err := s.capCopies(); err == nil {
			if _, err := os.Stat(c.Path(arg)); err == nil {
				return c.Path(arg), nil
			}
		}
		p, err := osexec.LookPath(arg)
		if err != nil {
			return "", &result.UsageError{Msg: fmt.Sprintf("no program %q on hood's PATH and no copy of that name: give a path, such as /usr/bin/cat", arg)}
		}
		return p, nil
	}
	if _, err := os.Stat(arg); err != nil {
		return "", &result.UsageError{Msg: fmt.Sprintf("%s: %v", arg, errors.Unwrap(err))}
	}
	return filepath.Abs(arg)
}

func capFile(s *Session, args []string) (*result.Result, error) {
	if len(args) == 0 || len(args) > 2 {
		return nil, result.Usagef(capFileUsage, "give a PATH, and optionally one change such as cap_net_raw=ep, or -")
	}
	var change *caps.FileCaps
	remove := len(args) == 2 && args[1] == "-"
	if len(args) == 2 && !remove {
		fc, err := caps.ParseFileText(args[1])
		if err != nil {
			return nil, result.Usagef(capFileUsage, "%v", err)
		}
		change = &fc
	}
	path, err := s.capFilePath(args[0])
	if err != nil {
		return nil, err
	}
	if len(args) == 1 {
		return s.capFileRead(path)
	}
	return s.capFileSet(path, change)
}

// capFileRead narrates getxattr of path's security.capability, decoded.
func (s *Session) capFileRead(path string) (*result.Result, error) {
	r := &result.Result{}
	raw, c := caps.ReadFile(s.HoodPID, path)
	r.Add(c)
	r.Shell = "getcap " + path
	if caps.IsNoData(c) {
		r.Meaning = fmt.Sprintf("%s has no file capabilities (getcap prints nothing): running it changes no capability set, beyond what execve always does.", path)
		return r, nil
	}
	if c.Failed() {
		return r, kernelErr(c, "getxattr")
	}
	fc, err := caps.DecodeFile(raw)
	if err != nil {
		return r, err
	}
	if fc.Revision == 3 {
		r.Shell = "getcap -n " + path
	}
	sayFileCaps(r, raw, fc)
	who := "whoever runs it"
	if fc.Revision == 3 {
		who = fmt.Sprintf("a process in the user namespace whose root is uid %d that runs it", fc.RootID)
	}
	r.Meaning = fmt.Sprintf("%s %s: %s (uid unchanged) gets %s in its permitted set at execve, as far as its bounding set allows%s.",
		path, fc.Text(), who, caps.Words(fc.Permitted), map[bool]string{true: ", and effective at once (the e bit)", false: "; no e bit, so the program must raise them itself with capset"}[fc.Effective])
	return r, nil
}

// sayFileCaps shows a security.capability value's bytes and fields.
func sayFileCaps(r *result.Result, raw []byte, fc caps.FileCaps) {
	r.Say("xattr", "% x (%d bytes)", raw, len(raw))
	e := "effective bit clear: the program must raise them itself (capset)"
	if fc.Effective {
		e = "effective bit set: what it grants is effective at once"
	}
	r.Say("revision", "%d (magic_etc %#08x), %s", fc.Revision, binary.LittleEndian.Uint32(raw), e)
	r.Say("grants", "permitted %s; inheritable %s", caps.Words(fc.Permitted), caps.Words(fc.Inheritable))
	if fc.Revision == 3 {
		r.Say("rootid", "%d: they count only for processes in the user namespace whose root is host uid %d, or in one inside it", fc.RootID, fc.RootID)
		r.Say("getcap", "%s [rootid=%d] (as getcap -n shows it)", fc.Text(), fc.RootID)
		return
	}
	r.Say("getcap", "%s", fc.Text())
}

// capFileSet writes (or, with fc nil, removes) the capabilities of path,
// which must be in hood's state directory; a file outside it is copied
// there first (removing is refused: it would change a host binary).
func (s *Session) capFileSet(path string, fc *caps.FileCaps) (*result.Result, error) {
	copies, state, err := s.capCopies()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	made := "" // the copy made now, removed again if the kernel refuses
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	stateReal, _ := filepath.EvalSymlinks(state)
	if rel, err := filepath.Rel(stateReal, real); stateReal == "" || err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		if fc == nil {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s is outside hood's state directory (%s): hood does not change host binaries, and removing a host program's capabilities (ping's cap_net_raw) would break it for every user; remove them from hood's copy: caps file %s -", path, state, filepath.Base(path))}
		}
		dst, err := copies.Make(path, filepath.Base(path))
		if err != nil {
			return nil, err
		}
		made = dst
		r.Text = fmt.Sprintf("copied %s to %s: hood sets file capabilities only on its own copies, never on a host binary (it would grant them to every user who runs it). The copy has none yet: a copy drops extended attributes.\n", path, dst)
		path = dst
	} else {
		path = real
	}
	before, bc := caps.ReadFile(s.HoodPID, path)
	bc.Quiet = true
	r.Add(bc)
	var t *caps.Target
	if filepath.Dir(path) == copies.Dir {
		// hood's own copy: opened relative to the directory of copies.
		t, err = copies.OpenTarget(s.HoodPID, filepath.Base(path))
	} else {
		t, err = caps.OpenTarget(s.HoodPID, path)
	}
	if err != nil {
		return r, err
	}
	r.Add(t.Open)
	var c result.Syscall
	if fc != nil {
		c = t.Set(s.HoodPID, *fc)
	} else {
		c = t.Remove(s.HoodPID)
	}
	r.Add(c)
	r.Add(t.Close(s.HoodPID))
	if c.Failed() && !(fc == nil && caps.IsNoData(c)) {
		if made != "" {
			os.Remove(made)
			r.Text += "The copy was removed again: nothing changed.\n"
		}
		return r, kernelErr(c, c.Name)
	}
	raw, rc := caps.ReadFile(s.HoodPID, path)
	r.Add(rc)
	old, now := "(none)", "(none)"
	if ofc, err := caps.DecodeFile(before); err == nil {
		old = ofc.Text()
	}
	if nfc, err := caps.DecodeFile(raw); err == nil {
		now = nfc.Text()
		sayFileCaps(r, raw, nfc)
	}
	r.Changes = append(r.Changes, result.Change{Path: path + " security.capability", Before: old, After: now})
	if nosuid, err := caps.NoSuid(path); err == nil && nosuid {
		r.Say("warning", "%s is on a nosuid mount: execve ignores file capabilities there, as it ignores set-user-ID bits", path)
	}
	if fc == nil {
		r.Shell = "setcap -r " + path
		r.Meaning = fmt.Sprintf("%s has no file capabilities now: running it grants nothing.", path)
		return r, nil
	}
	r.Shell = fmt.Sprintf("setcap %s %s", fc.Text(), path)
	gets := fmt.Sprintf("gets %s at execve (within its bounding set)", caps.Words(fc.Permitted))
	if fc.Permitted == 0 {
		gets = "gets nothing from its permitted set at execve"
	}
	if only := fc.Inheritable &^ fc.Permitted; only != 0 {
		gets += fmt.Sprintf(", and %s only if its own inheritable set holds it too", caps.Words(only))
	}
	r.Meaning = fmt.Sprintf("Whoever runs this %s now %s, with no change of uid. Try it as an ordinary user: box new --uid 1000, then caps exec %s /proc/self/status.",
		filepath.Base(path), gets, filepath.Base(path))
	return r, nil
}
