package commands

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"hood/internal/kernel/call"
)

// anyPID is a process named in a shell line: another box, once the box's
// own PID has been replaced by "$BOX".
var anyPID = regexp.MustCompile(`(-t|--target|netns) [0-9]+\b`)

// net replays hood's ip or nft line in the stand-in's network namespace,
// or on the host end of a pair the script made.
func (x *script) net(st exportStep) {
	line := x.pidRe.ReplaceAllString(st.shell, `$1 "$$BOX"`)
	switch {
	case st.cmd == "net veth" && slices.Contains(st.args, "--peer"), anyPID.MatchString(line):
		x.note("not replayed: this joined the box to another one the script does not build (hood's words: %s)", st.shell)
	case strings.Contains(line, `"$BOX"`) && x.own["net"]:
		x.ensure()
		if st.cmd == "net veth" && len(st.args) > 0 {
			x.veths[st.args[0]] = true
			x.note("One end on the machine, the other in the box's network namespace; the pair goes when that namespace does. hood's own %s must be gone first (exit hood).", st.args[0])
		}
		x.printf("%s\n", line)
	case slices.Contains(st.args, "--host") && len(st.args) > 0 && x.veths[st.args[0]]:
		x.note("On the machine's end of the pair the script made.")
		x.printf("%s\n", line)
	default:
		x.note("not replayed: this would change the machine's own network (hood's words: %s)", st.shell)
	}
}

// cgroup replays the cgroup files hood wrote for the box, in the script's
// own hood-export-PID directories.
func (x *script) cgroup(st exportStep) {
	if x.g == nil {
		x.note("not replayed: the box's cgroup is gone (hood's words: %s)", st.shell)
		return
	}
	x.ensure()
	for _, c := range st.calls {
		if c.Name == "bpf" {
			x.note("not replayed: %s loaded a cgroup v2 device program with bpf(2); no shell tool builds one from a rule (bpftool loads only compiled objects)", st.cmd)
			return
		}
		path, data, ok := written(c)
		if !ok {
			continue
		}
		i, file, mine := x.inGroup(path)
		if !mine {
			if !x.hoodParent(path) {
				x.note("not replayed: %s is not this box's group", path)
			}
			continue
		}
		v := x.cgVar(i)
		switch {
		case c.Name == "mkdirat":
		case file == "cgroup.procs" && data == strconv.Itoa(x.b.PID):
			x.printf("echo \"$BOX\" > \"$%s/cgroup.procs\"\n", v)
		case file == "cgroup.procs" || file == "tasks":
			x.note("not replayed: PID %s, a process the box started, into %s", data, file)
		default:
			x.printf("echo %s > \"$%s/%s\"\n", sq(data), v, file)
		}
	}
}

// written is the path a call made or wrote, and what it wrote.
func written(c call.Call) (path, data string, ok bool) {
	switch {
	case c.Failed():
	case c.Name == "mkdirat" && len(c.Args) >= 2:
		return c.AtPath(), "", true
	case c.Name == "write" && len(c.Args) >= 2 && c.Args[0].Kind == call.FD:
		return c.Args[0].Str, c.Args[1].Str, true
	}
	return "", "", false
}

// inGroup finds path in the box's group: the hierarchy and the file.
func (x *script) inGroup(path string) (int, string, bool) {
	for i, d := range x.g.Dirs {
		if path == d {
			return i, "", true
		}
		if f, ok := strings.CutPrefix(path, d+"/"); ok {
			return i, f, true
		}
	}
	return 0, "", false
}

// hoodParent reports whether path is hood/ itself or a file of it, which
// the script does not need: its directories go below its own cgroup.
func (x *script) hoodParent(path string) bool {
	for _, d := range x.g.Dirs {
		if p := filepath.Dir(d); path == p || filepath.Dir(path) == p {
			return true
		}
	}
	return false
}

// cgVar is the variable of hierarchy i's directory, made on first use.
func (x *script) cgVar(i int) string {
	if v, ok := x.cg[i]; ok {
		return v
	}
	h := x.g.Hier[i]
	field, label := h.Label(), h.Label()
	if h.Version() == 2 {
		field = ""
	}
	v := "CG_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, label)
	if len(x.cg) == 0 {
		x.note("The box's cgroup: hood made %s in each hierarchy; the script makes hood-export-PID below its own cgroup instead, one variable per hierarchy.", strings.TrimPrefix(x.g.Dirs[i], x.g.Hier[i].Mount+"/"))
	}
	x.printf("%s=$(below %s %s)\nmkdir \"$%s\"; CGS=\"$CGS $%s\"\n", v, sq(field), sq(h.Mount), v, v)
	x.cg[i] = v
	x.below = true
	return v
}

// caps starts a new stand-in whose bounding set lacks what the box
// dropped: as root, execve then grants it nothing more.
func (x *script) caps(st exportStep) {
	var set []string
	switch {
	case st.cmd == "caps keep":
		set = append(set, "-all")
		for _, a := range st.args {
			set = append(set, "+"+capWord(a))
		}
	case slices.Contains(st.args, "all"):
		set = append(set, "-all")
	default:
		for _, c := range st.calls {
			if c.Name == "prctl" && len(c.Args) >= 2 && c.Args[0].Text == "PR_CAPBSET_DROP" && !c.Failed() {
				set = append(set, "-"+capWord(c.Args[1].Text))
			}
		}
	}
	if len(set) == 0 {
		x.note("not replayed: the box's bounding set was unchanged (hood's words: %s)", st.shell)
		return
	}
	if x.rooted && x.own["user"] {
		x.note("not replayed: the box's root is its rootfs now, where a new stand-in starts, entering the box's user namespace gives it every capability there, and busybox's setpriv has no --bounding-set; a runtime drops capabilities in its own code, after pivot_root. The bounding set hood left: %s", strings.Join(set, ","))
		return
	}
	x.bset = append(x.bset, set...)
	x.note("A new stand-in with a smaller bounding set (setpriv); as root, execve gives it every capability left there and no other. Later nsenter steps run with the script's own capabilities.")
	x.replace(nil, nil)
}

// capWord is a capability as setpriv takes it: net_admin.
func capWord(name string) string {
	return strings.TrimPrefix(strings.ToLower(name), "cap_")
}

// seccomp replays what a shell can of a filter: no_new_privs.
func (x *script) seccomp(st exportStep) {
	x.note("hood installed a seccomp filter on the box (%s). No util-linux tool", strings.Join(st.args, " "))
	x.note("installs one: a runtime does it with libseccomp. Not replayed. hood's words:")
	x.note("  %s", st.shell)
	if slices.Contains(x.priv, "--nnp") {
		return
	}
	x.note("What a shell can replay is no_new_privs, which the kernel demands first (setpriv --nnp, in util-linux and busybox alike).")
	x.priv = append(x.priv, "--nnp")
	x.replace(nil, nil)
}
