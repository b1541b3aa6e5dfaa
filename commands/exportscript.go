package commands

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/ns"
)

// script turns a box's recorded steps into a shell script. It follows what
// the stand-in process ($BOX) is at each point: which namespaces are its
// own, which privileges a new stand-in must be started with, which cgroup
// directories exist.
type script struct {
	b      *box.Box
	file   string        // the script's name, for its first lines: NAME.sh by default
	g      *cgroup.Group // the box's group, nil if it never had one
	steps  []exportStep
	out    strings.Builder
	held   bool            // $BOX exists
	own    map[string]bool // namespace types the box unshared (and did not leave)
	uid    []string        // setpriv options of box new --uid, until a user namespace
	priv   []string        // setpriv options every later stand-in needs (no_new_privs)
	bset   []string        // bounding-set changes, in order: -net_admin, -all, +chown
	cg     map[int]string  // hierarchy index -> its shell variable, once made
	below  bool            // the cgroup helper is needed
	incg   bool            // and the one that joins them first
	veths  map[string]bool // host ends of pairs the script made
	rooted bool            // the box's root is a rootfs now (pivot_root, chroot)
	lent   bool            // the lending of capabilities to nsenter is explained (exportholder.go)
	pidRe  *regexp.Regexp  // the box's PID where a shell line names it
}

func newScript(b *box.Box, g *cgroup.Group, steps []exportStep) *script {
	return &script{b: b, g: g, steps: steps, own: map[string]bool{}, cg: map[int]string{}, veths: map[string]bool{},
		pidRe: regexp.MustCompile(`(-t|--target|netns) ` + strconv.Itoa(b.PID) + `\b`)}
}

// hold is the sleep a stand-in runs: a number every sleep(1) reads
// (busybox's too, after a pivot_root), about 31 years.
const hold = "sleep 1000000000"

func (x *script) text() string {
	for i, st := range x.steps {
		x.printf("\n# %d. hood: %s\n", i+1, strings.TrimSpace(st.cmd+" "+sqAll(st.args)))
		x.step(st)
	}
	if !x.held {
		x.printf("\n# The box was never changed in place: a stand-in in the script's own namespaces.\n")
		x.replace(nil, nil)
	}
	if x.file == "" {
		x.file = x.b.Name + ".sh"
	}
	head := exportHead(x.b.Name, x.file, len(x.steps))
	if x.below {
		head += exportBelow
	}
	if x.incg {
		head += exportIncg
	}
	return head + x.out.String() + fmt.Sprintf(exportEnd, x.b.Name)
}

func (x *script) printf(format string, a ...any) { fmt.Fprintf(&x.out, format, a...) }

// note writes a comment, wrapped at 78 columns; a line that starts with
// a space (a command to type) is kept whole.
func (x *script) note(format string, a ...any) {
	text := fmt.Sprintf(format, a...)
	if strings.HasPrefix(text, " ") {
		x.printf("#%s\n", text)
		return
	}
	line := "#"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > 78 && line != "#" {
			x.printf("%s\n", line)
			line = "#"
		}
		line += " " + w
	}
	x.printf("%s\n", line)
}

// step writes one recorded command.
func (x *script) step(st exportStep) {
	switch st.cmd {
	case "box new":
		x.boxNew(st)
	case "unshare":
		x.unshare(st)
	case "hostname":
		x.inside(st, "uts", "The box's own UTS namespace gets the name.")
	case "mount", "umount":
		x.inBox(st, "mnt", st.shell)
	case "pivot_root":
		x.inBox(st, "mnt", "sh -c "+sq(st.shell))
		x.rooted = x.own["mnt"]
	case "chroot":
		x.chroot(st)
	case "enter":
		x.enter(st)
	case "run":
		x.run(st)
	case "net veth", "net addr", "net up", "net down", "net rename", "net route add", "net route default via", "net rule drop", "net rule rm":
		x.net(st)
	case "cgroup attach", "cgroup set", "cgroup freeze", "cgroup thaw", "devices deny", "devices allow":
		x.cgroup(st)
	case "caps drop", "caps keep":
		x.caps(st)
	case "seccomp deny":
		x.seccomp(st)
	default:
		x.note("not replayed: box export has no rule for %s yet (hood's words: %s)", st.cmd, st.shell)
	}
}

func (x *script) boxNew(st exportStep) {
	for i, a := range st.args {
		if a == "--uid" && i+1 < len(st.args) {
			u, g, ok := strings.Cut(st.args[i+1], ":")
			if !ok {
				g = u
			}
			x.uid = []string{"--reuid=" + u, "--regid=" + g, "--clear-groups"}
			x.note("The box is an ordinary user, uid %s, gid %s, no capabilities: setpriv makes each new stand-in so, until it has a user namespace of its own.", u, g)
			return
		}
	}
	x.note("The box starts as a process in the script's own namespaces: nothing to do yet.")
}

func (x *script) unshare(st exportStep) {
	o, err := parseUnshare(st.args)
	if err != nil || !strings.HasPrefix(st.shell, "unshare ") {
		x.note("not replayed: hood's words for it were %q", st.shell)
		return
	}
	var names []string
	for _, t := range o.types {
		names = append(names, t.Name)
	}
	x.note("unshare(1) makes the new namespaces (%s) and runs the new stand-in in them.", strings.Join(names, " "))
	if o.fork {
		x.note("--fork: the stand-in is PID 1 of the new PID namespace, as the child hood's box forked was.")
	} else if seenType(o.types, "pid") {
		x.note("Without --fork the stand-in stays in its PID namespace; only its children are born in the new one.")
	}
	words := strings.Fields(st.shell)
	for i, w := range words {
		// hood writes INNER:OUTER:COUNT, as util-linux 2.39 does; the
		// form OUTER,INNER,COUNT is read by 2.38 too (both need newuidmap).
		for _, opt := range []string{"--map-users=", "--map-groups="} {
			if v, ok := strings.CutPrefix(w, opt); ok {
				if f := strings.Split(v, ":"); len(f) == 3 {
					words[i] = opt + f[1] + "," + f[0] + "," + f[2]
					x.note("%s%s: outside %s, inside %s, %s IDs (unshare(1) runs newuidmap/newgidmap for it, from the uidmap package).", opt, words[i][len(opt):], f[1], f[0], f[2])
				}
			}
		}
	}
	x.replace(nil, words)
	for _, t := range o.types {
		x.own[t.Name] = true
	}
}

// inBox runs line in the box's namespaces, as the box (its root and
// working directory), if the box has its own namespace of type typ.
func (x *script) inBox(st exportStep, typ, line string) {
	if !x.own[typ] {
		x.note("not replayed: the box shared the script's %s namespace here, so this would change the machine (hood's words: %s)", typ, st.shell)
		return
	}
	x.ensure()
	x.printf("nsenter -t \"$BOX\" -a -r -w %s\n", line)
}

// inside replays hood's own nsenter line, aimed at the stand-in.
func (x *script) inside(st exportStep, typ, what string) {
	line := x.pidRe.ReplaceAllString(st.shell, `$1 "$$BOX"`)
	if !x.own[typ] || !strings.Contains(line, `"$BOX"`) {
		x.note("not replayed: the box shared the script's %s namespace here, so this would change the machine (hood's words: %s)", typ, st.shell)
		return
	}
	x.ensure()
	x.note("%s", what)
	x.printf("%s\n", line)
}

// ensure starts the first stand-in if there is none yet.
func (x *script) ensure() {
	if !x.held {
		x.replace(nil, nil)
	}
}

func (x *script) chroot(st exportStep) {
	f := strings.Fields(st.shell)
	if len(f) < 2 || f[0] != "chroot" {
		x.note("not replayed: no chroot(2) here (hood's words: %s)", st.shell)
		return
	}
	x.note("The box changed its own root: a new stand-in is started by chroot(1) in %s, which needs a sleep there.", f[1])
	x.replace(nil, []string{"chroot", sq(f[1])})
	x.rooted = true
}

func (x *script) enter(st exportStep) {
	if len(st.args) < 2 || st.args[0] != "host" {
		x.note("not replayed: the box joined the namespaces of a process the script does not start (hood's words: %s)", st.shell)
		return
	}
	var opts []string
	for _, a := range st.args[1:] {
		for _, t := range ns.Types {
			if a == t.Name || a == "all" {
				opts = append(opts, t.Option+"=/proc/$$/ns/"+t.Name)
				x.own[t.Name] = false
			}
		}
	}
	x.note("The box went back into the script's own namespaces (%s): a new stand-in, entered there by nsenter.", strings.Join(st.args[1:], " "))
	x.replace(opts, nil)
}

// fileTools are the programs whose run is replayed once the box has a
// root of its own: they make its files (/dev nodes, links) and nothing
// outside it.
var fileTools = []string{"mknod", "mkdir", "ln", "chmod", "touch"}

func (x *script) run(st exportStep) {
	if len(st.args) > 0 && x.rooted && slices.Contains(fileTools, filepath.Base(st.args[0])) {
		x.note("A file in the box's own root, made by the same program there.")
		x.printf("nsenter -t \"$BOX\" -a -r -w %s\n", sqAll(st.args))
		return
	}
	x.note("hood ran this program in the box; what it did is its own, not replayed here. By hand:")
	x.note("  nsenter -t \"$BOX\" -a -r -w %s", sqAll(st.args))
}
