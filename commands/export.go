package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/result"
)

const exportUsage = "box export NAME [--demo] [--file F]"

func init() {
	register(&Command{UsageLine: exportUsage, Short: "the whole construction of a box as a shell script of unshare, nsenter, ip, mount and cgroup files, to replay without hood",
		Long: `Every command of this session that changed box NAME and succeeded, in
order, as a script of util-linux, iproute2 and cgroupfs commands that
builds the same box when run as root: a sleeping process stands in for
the box, nsenter(1) acts in its namespaces, its cgroup directories are made
below the script's own cgroup (hood-export-PID), as hood makes its own below
hood's. Each step is a comment
naming the hood command it came from; a step with no faithful shell
equivalent (a seccomp filter, a program run) is a comment saying so;
making files in the box's own root (run mknod, mkdir, ln, chmod, touch
after pivot_root or chroot) is replayed. With
--file F hood writes the script to F (mode 0755) instead of printing it,
and never overwrites a file that exists. With --demo the same commands
come out as hood commands, a demo script that hood demo FILE plays for
a talk (docs/demo.md).`,
		Args: []Arg{ArgBox}, Flags: []string{"--demo", "--file"}, Run: boxExport})
}

// exportStep is one successful state-changing command, as recorded for a box.
type exportStep struct {
	cmd   string // the command's name: "unshare", "cgroup set"
	args  []string
	shell string      // its Result.Shell
	calls []call.Call // the calls it made
}

// exportable commands are those whose success changes the current box
// (its namespaces, hostname, mounts, root, network, cgroups, privileges).
// A new one goes here and in script.step (exportscript.go).
var exportable = map[string]bool{
	"box new": true, "unshare": true, "hostname": true, "mount": true, "umount": true,
	"pivot_root": true, "chroot": true, "enter": true, "run": true,
	"net veth": true, "net addr": true, "net up": true, "net down": true, "net rename": true,
	"net route add": true, "net route default via": true, "net rule drop": true, "net rule rm": true,
	"cgroup attach": true, "cgroup set": true, "cgroup freeze": true, "cgroup thaw": true,
	"caps drop": true, "caps keep": true, "seccomp deny": true, "devices deny": true, "devices allow": true,
}

// record keeps a command that succeeded for box export, under the box
// that is current after it ran (for box new, the new box), or the box a
// cgroup command names.
func (s *Session) record(c *Command, args []string, res *result.Result) {
	name := c.Name()
	b := s.Current
	if strings.HasPrefix(name, "cgroup ") && len(args) > 0 && s.find(args[0]) != nil {
		b = s.find(args[0]) // cgroup set BOX FILE VALUE: that box's group
	}
	if b == nil || res == nil || !exportable[name] {
		return
	}
	if name == "hostname" && !hasWord(args) {
		return // hostname alone reads
	}
	if s.exports == nil {
		s.exports = map[*box.Box][]exportStep{}
	}
	s.exports[b] = append(s.exports[b], exportStep{cmd: name, args: append([]string(nil), args...), shell: res.Shell, calls: res.Syscalls})
}

// hasWord reports whether args hold a word that is not an option.
func hasWord(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return true
		}
	}
	return false
}

func boxExport(s *Session, args []string) (*result.Result, error) {
	var name, file string
	asDemo := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--demo":
			asDemo = true
		case a == "--file":
			if i+1 >= len(args) || args[i+1] == "" {
				return nil, result.Usagef(exportUsage, "--file needs a file name, such as --file box1.sh")
			}
			i++
			file = args[i]
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(exportUsage, "unknown option %q", a)
		case name != "":
			return nil, result.Usagef(exportUsage, "one box at a time")
		default:
			name = a
		}
	}
	if name == "" {
		example := "box1"
		if s.Current != nil {
			example = s.Current.Name
		}
		return nil, result.Usagef(exportUsage, "name the box to export, such as `box export %s`", example)
	}
	b, err := s.namedBox(exportUsage, []string{name}, false)
	if err != nil {
		return nil, err
	}
	steps := s.exports[b]
	if !changed(steps) {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s has nothing to export: nothing this session did changed it since it was made (unshare, hostname, mount, net, cgroup set, caps drop ... are what a script replays)", b.Name)}
	}
	if asDemo {
		return exportDemo(b, steps, file, s.BoxNames())
	}
	x := newScript(b, s.groups[b.Name], steps)
	r := &result.Result{}
	if file == "" {
		r.Text = x.text()
		return r, nil
	}
	x.file = filepath.Base(file)
	abs, err := writeNew(file, x.text())
	if err != nil {
		return nil, err
	}
	r.Say("wrote", "%s (%s, mode 0755)", abs, stepCount(len(steps)))
	r.Shell = "sh " + abs + "   # as root, from any shell: it does not need hood"
	r.Meaning = fmt.Sprintf("The script builds a box like %s from scratch with util-linux, iproute2 and the cgroup files, and prints at the end how to remove it.", b.Name)
	return r, nil
}

// changed reports whether steps hold more than the box's plain start.
func changed(steps []exportStep) bool {
	for _, st := range steps {
		if st.cmd != "box new" || slices.Contains(st.args, "--uid") {
			return true
		}
	}
	return false
}

// writeNew writes text to a new file, mode 0755, refusing one that exists.
func writeNew(file, text string) (string, error) { return writeNewMode(file, text, 0o755) }

// writeNewMode is WriteNewFile for box export, whose errors say so.
func writeNewMode(file, text string, mode os.FileMode) (string, error) {
	abs, err := WriteNewFile(file, text, mode)
	var usage *result.UsageError
	if err != nil && !errors.As(err, &usage) {
		err = fmt.Errorf("box export: %w", err)
	}
	return abs, err
}

// WriteNewFile writes text to a new file of that mode and returns its
// absolute path, refusing one that exists (a UsageError).
func WriteNewFile(file, text string, mode os.FileMode) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return "", &result.UsageError{Msg: fmt.Sprintf("%s already exists: hood does not overwrite it; remove it first or give another --file", abs)}
	}
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Chmod(mode) // the umask may have taken the x bits
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", abs, err)
	}
	return abs, nil
}

// stepCount is "1 step", "3 steps".
func stepCount(n int) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}
