package commands

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/ns"

	"golang.org/x/sys/unix"
)

// A box built in hood, exported and replayed by the script as root, has
// the same namespace types of its own, hostname, cgroup limits and mounts
// as the box; the host is unchanged after the script's box is removed.
func TestExportReplays(t *testing.T) {
	s := newSession(t)
	needTools(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("exp%d", os.Getpid())
	for _, line := range []string{
		"unshare uts mnt pid net ipc --fork --mount-proc",
		"hostname " + name,
		"cgroup set pids.max 23",
		"cgroup set memory.max 64M",
		"mount -t tmpfs -o size=2m tmpfs " + mnt,
		"net up lo",
		"caps drop net_raw",
	} {
		exec(t, s, line)
	}
	pid := replay(t, s, dir)

	b := s.Current
	boxLinks, host, err := s.linksAndHost(b.PID)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := s.links(pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range ns.Types {
		boxOwn := boxLinks[typ.Name] != host[typ.Name] || typ.ForChildren != "" && boxLinks[typ.ForChildren] != host[typ.ForChildren]
		if scriptOwn := theirs[typ.Name] != host[typ.Name]; boxOwn != scriptOwn {
			t.Errorf("%s: the box has its own: %v, the script's box: %v (%s)", typ.Name, boxOwn, scriptOwn, theirs[typ.Name])
		}
	}
	if h, err := osexec.Command("nsenter", "-t", strconv.Itoa(pid), "-u", "hostname").Output(); err != nil || strings.TrimSpace(string(h)) != name {
		t.Errorf("the script's hostname: %q, %v; want %s", h, err, name)
	}
	if l, err := osexec.Command("nsenter", "-t", strconv.Itoa(pid), "-n", "ip", "-o", "link", "show", "lo").Output(); err != nil || !strings.Contains(string(l), ",UP") {
		t.Errorf("lo in the script's box: %q, %v; want it up", l, err)
	}
	hs, err := cgroup.Hierarchies("/proc", pid)
	if err != nil {
		t.Fatal(err)
	}
	theirGroup := &cgroup.Group{Box: "export", Hier: hs}
	for _, h := range hs {
		theirGroup.Dirs = append(theirGroup.Dirs, h.Dir())
		if !strings.Contains(h.Dir(), "/hood-export-") {
			t.Errorf("the script's box is in %s, not in a hood-export group", h.Dir())
		}
	}
	for _, f := range []string{"pids.max", "memory.max"} {
		want, _, err1 := s.GroupOf("box1").Get(f)
		got, _, err2 := theirGroup.Get(f)
		if err1 != nil || err2 != nil || got != want {
			t.Errorf("%s: box %q (%v), script %q (%v)", f, want, err1, got, err2)
		}
	}
	if bm, sm := mountSet(t, b.PID), mountSet(t, pid); !slices.Equal(bm, sm) {
		t.Errorf("mounts differ:\nbox:    %q\nscript: %q", bm, sm)
	}
	if !slices.Contains(mountSet(t, pid), mnt+" tmpfs tmpfs") {
		t.Errorf("no tmpfs at %s in the script's box", mnt)
	}
	if bs, err1 := s.Proc().Status(b.PID); err1 == nil {
		if ss, err2 := s.Proc().Status(pid); err2 != nil || ss.CapBnd != bs.CapBnd {
			t.Errorf("bounding sets: box %x, script %x (%v)", bs.CapBnd, ss.CapBnd, err2)
		}
	}
}

func needTools(t *testing.T) {
	for _, tool := range []string{"unshare", "nsenter", "setpriv", "timeout", "ip"} {
		if _, err := osexec.LookPath(tool); err != nil {
			t.Skipf("needs %s (util-linux, coreutils, iproute2): %v", tool, err)
		}
	}
	if sh := scriptShell(); sh == "" {
		t.Skip("needs a shell that runs util-linux's nsenter: busybox sh, the only one here, runs its own nsenter applet, which has no -a")
	}
}

// scriptShell is the shell the replay tests run scripts with: dash (the
// VM lane carries the host's), else sh unless sh is busybox's; "" if none.
func scriptShell() string {
	for _, sh := range []string{"dash", "sh"} {
		p, err := osexec.LookPath(sh)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(p); err == nil && filepath.Base(real) != "busybox" {
			return sh
		}
	}
	return ""
}

// replay exports box1 to a file under dir, checks the file, runs it as
// root and returns the PID of its stand-in; the script's box is removed,
// and the host checked, when the test ends.
func replay(t *testing.T, s *Session, dir string) int {
	t.Helper()
	file := filepath.Join(dir, "box1.sh")
	exec(t, s, "box export box1 --file "+file)
	if _, err := s.Exec([]string{"box", "export", "box1", "--file", file}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a second export over the file: %v", err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("the script: %v, %v", st, err)
	}
	hostMounts := mountSet(t, os.Getpid())
	hostCgroup, _ := os.ReadFile("/proc/self/cgroup")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := osexec.CommandContext(ctx, "timeout", "50", scriptShell(), file).CombinedOutput()
	pid, remove := replayed(t, string(out))
	t.Cleanup(func() { removeReplay(t, remove, hostMounts, hostCgroup, dir) })
	if err != nil || pid == 0 {
		t.Fatalf("the script: %v\n%s", err, out)
	}
	return pid
}

// replayed reads the script's last lines: its stand-in's PID and the
// command that removes it.
func replayed(t *testing.T, out string) (pid int, remove string) {
	if m := regexp.MustCompile(`its stand-in is PID (\d+)`).FindStringSubmatch(out); m != nil {
		pid, _ = strconv.Atoi(m[1])
	}
	if m := regexp.MustCompile(`remove it: +(.*)`).FindStringSubmatch(out); m != nil {
		remove = m[1]
	}
	if pid != 0 && remove == "" {
		t.Errorf("no remove line in\n%s", out)
	}
	return pid, remove
}

// removeReplay runs the script's remove command and checks that the
// processes and cgroups it made are gone and the host's mounts and
// cgroup are as before, with no mount under dir.
func removeReplay(t *testing.T, remove string, hostMounts []string, hostCgroup []byte, dir string) {
	if remove == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := osexec.CommandContext(ctx, scriptShell(), "-c", remove).CombinedOutput(); err != nil {
		t.Errorf("remove: %v\n%s", err, out)
	}
	kill, dirs, _ := strings.Cut(remove, "; sleep 1; rmdir")
	var pids []int
	for _, w := range strings.Fields(kill) {
		if p, err := strconv.Atoi(w); err == nil {
			pids = append(pids, p)
		}
	}
	waitGone(t, pids)
	for _, d := range strings.Fields(dirs) {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s is still there", d)
		}
	}
	after := mountSet(t, os.Getpid())
	for _, m := range after {
		if strings.HasPrefix(m, dir) || !slices.Contains(hostMounts, m) && strings.HasPrefix(m, "/proc ") {
			t.Errorf("the host has a new mount: %s", m)
		}
	}
	if now, _ := os.ReadFile("/proc/self/cgroup"); string(now) != string(hostCgroup) {
		t.Errorf("the test's cgroup changed:\n%s\n%s", hostCgroup, now)
	}
}

// waitGone waits until the processes are gone. A test process is a child
// subreaper (as hood is), so the script's orphans become its children: it
// reaps those, and only those, or a dying PID 1 of their namespace would
// wait for them for ever.
func waitGone(t *testing.T, pids []int) {
	left := pids
	for deadline := time.Now().Add(5 * time.Second); len(left) > 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var still []int
		for _, p := range left {
			var ws unix.WaitStatus
			_, _ = unix.Wait4(p, &ws, unix.WNOHANG, nil)
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil && !strings.Contains(string(st), ") Z ") {
				still = append(still, p)
			}
		}
		left = still
	}
	for _, p := range left {
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		t.Errorf("PID %d is still running: %s", p, st)
	}
}

// mountSet is pid's mount table as "MOUNTPOINT FSTYPE SOURCE", sorted.
func mountSet(t *testing.T, pid int) []string {
	t.Helper()
	var proc = (&Session{ProcRoot: "/proc"}).Proc()
	ms, err := proc.Mountinfo(pid, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Mountpoint+" "+m.FSType+" "+m.Source)
	}
	slices.Sort(out)
	return out
}

// A box nothing changed, a name that is no box, and --file without a name
// are refused, each saying what is expected.
func TestExportBadInput(t *testing.T) {
	s := NewSession()
	for _, c := range []struct{ line, want string }{
		{"box export nobox", `no box named "nobox"`},
		{"box export --file x.sh", "name the box to export"},
		{"box export", "name the box to export"},
		{"box export a b", "one box at a time"},
		{"box export box1 --file", "--file needs a file name"},
	} {
		if _, err := s.Exec(strings.Fields(c.line)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.line, err, c.want)
		}
	}
	s.Boxes = []*box.Box{{Name: "box1", PID: 1}}
	if _, err := s.Exec([]string{"box", "export", "box1"}); err == nil || !strings.Contains(err.Error(), "nothing to export") {
		t.Errorf("a box nothing changed: %v", err)
	}
}

// A hostname set while the box shared the host's UTS namespace (hostname
// --host) is a comment in the script, never a command that renames the
// machine; mounts likewise.
func TestExportNeverTheHost(t *testing.T) {
	b := &box.Box{Name: "box1", PID: 4242}
	text := newScript(b, nil, []exportStep{
		{cmd: "box new", args: []string{"box1"}},
		{cmd: "hostname", args: []string{"web", "--host"}, shell: "hostname web"},
		{cmd: "mount", args: []string{"-t", "tmpfs", "tmpfs", "/mnt"}, shell: "mount -t tmpfs tmpfs /mnt"},
		{cmd: "unshare", args: []string{"uts"}, shell: "unshare --uts"},
		{cmd: "hostname", args: []string{"web"}, shell: "nsenter --target 4242 --uts hostname web"},
	}).text()
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "#") && (strings.HasPrefix(l, "hostname") || strings.HasPrefix(l, "mount") || strings.Contains(l, "4242")) {
			t.Errorf("a line acts on the host or on hood's box: %s", l)
		}
	}
	if !strings.Contains(text, "\nnsenter --target \"$BOX\" --uts hostname web\n") || !strings.Contains(text, "\nhold unshare --uts sleep") {
		t.Errorf("the script:\n%s", text)
	}
}

// The cgroup files hood wrote are written again under the script's own
// directories, the box's PID becomes $BOX, another group's files are a
// comment; caps keep and seccomp deny become setpriv options of a new
// stand-in.
func TestExportSteps(t *testing.T) {
	const dir = "/sys/fs/cgroup/pids/hood/box1"
	b := &box.Box{Name: "box1", PID: 4242}
	g := &cgroup.Group{Box: "box1", Dirs: []string{dir}, Hier: []cgroup.Hierarchy{{ID: 8, Controllers: []string{"pids"}, Mount: "/sys/fs/cgroup/pids", Path: "/"}}}
	w := func(path, data string) call.Call {
		return call.New("hood", 1, "write", int64(len(data)), nil, call.Fd(5, path), call.S(data), call.I(int64(len(data))))
	}
	mk := func(path string) call.Call {
		return call.New("hood", 1, "mkdirat", 0, nil, call.Cwd(), call.S(path), call.M(0o755))
	}
	text := newScript(b, g, []exportStep{
		{cmd: "unshare", args: []string{"uts"}, shell: "unshare --uts"},
		{cmd: "cgroup set", args: []string{"pids.max", "10"}, calls: []call.Call{
			mk("/sys/fs/cgroup/pids/hood"), mk(dir), w(dir+"/cgroup.procs", "4242"), w(dir+"/pids.max", "10"),
			w("/sys/fs/cgroup/pids/hood/box2/pids.max", "5")}},
		{cmd: "caps keep", args: []string{"CAP_CHOWN", "net_bind_service"}},
		{cmd: "seccomp deny", args: []string{"mkdir"}, shell: "setpriv --no-new-privs (then ...)"},
	}).text()
	for _, want := range []string{
		"\nCG_pids=$(below pids /sys/fs/cgroup/pids)\nmkdir \"$CG_pids\"; CGS=\"$CGS $CG_pids\"\n",
		"\necho \"$BOX\" > \"$CG_pids/cgroup.procs\"\necho 10 > \"$CG_pids/pids.max\"\n",
		"# not replayed: /sys/fs/cgroup/pids/hood/box2/pids.max is not this box's group\n",
		"\nhold nsenter -t \"$BOX\" -a -r -w setpriv --bounding-set=-all,+chown,+net_bind_service sleep 1000000000\n",
		"\nhold nsenter -t \"$BOX\" -a -r -w setpriv --nnp --bounding-set=-all,+chown,+net_bind_service sleep 1000000000\n",
		"\nbelow() {",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "mkdir /sys") || strings.Contains(text, "4242") {
		t.Errorf("the script names hood's own group or box:\n%s", text)
	}
}

// A box that pivot_root'ed into a busybox rootfs, made a /dev tmpfs with a
// node in it, kept three capabilities and set no_new_privs is replayed with
// busybox's own tools in the rootfs: same root, mounts, node, hostname,
// capabilities and no_new_privs.
func TestExportReplaysRootfs(t *testing.T) {
	s, root := rootfsSession(t)
	needTools(t)
	for _, line := range []string{
		"unshare mnt uts",
		"pivot_root t",
		"mount -t tmpfs -o size=64k,mode=755 tmpfs /dev",
		"run mknod -m 666 /dev/null c 1 3",
		"hostname rooted",
		"caps keep chown net_bind_service sys_chroot",
		"seccomp deny mkdir",
	} {
		exec(t, s, line)
	}
	pid := replay(t, s, filepath.Dir(root))
	b := s.Current
	for _, p := range []int{b.PID, pid} {
		var st unix.Stat_t
		if err := unix.Stat(fmt.Sprintf("/proc/%d/root/dev/null", p), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
			t.Errorf("PID %d: /dev/null is not c 1:3: %+v, %v", p, st, err)
		}
		const kept = 1<<unix.CAP_CHOWN | 1<<unix.CAP_NET_BIND_SERVICE | 1<<unix.CAP_SYS_CHROOT
		if st, err := s.Proc().Status(p); err != nil || !st.NoNewPrivs || st.CapBnd != kept || st.CapPrm != kept || st.CapEff != kept || st.CapAmb != 0 || st.CapInh != 0 {
			t.Errorf("PID %d: no_new_privs or capabilities are not the box's: %+v (%v)", p, st, err)
		}
	}
	if br, err1 := s.Proc().RootID(b.PID); err1 == nil {
		if sr, err2 := s.Proc().RootID(pid); err2 != nil || sr != br {
			t.Errorf("roots: box %v, script %v (%v)", br, sr, err2)
		}
	}
	if bm, sm := mountSet(t, b.PID), mountSet(t, pid); !slices.Equal(bm, sm) {
		t.Errorf("mounts differ:\nbox:    %q\nscript: %q", bm, sm)
	}
	if h, err := osexec.Command("nsenter", "-t", strconv.Itoa(pid), "-u", "hostname").Output(); err != nil || strings.TrimSpace(string(h)) != "rooted" {
		t.Errorf("the script's hostname: %q, %v", h, err)
	}
}
