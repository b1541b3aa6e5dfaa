package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDelegatedNarrationMatchesStrace holds the delegated-cgroup path of a
// rootless hood to strace -f: hood, as uid 65534 in a v2 cgroup delegated
// to that user (as systemd's Delegate= does), makes SCOPE/hood-self, moves
// itself and box1 there, enables the scope's controllers, makes its groups
// and writes their limits, then gives it all back. It needs a v2 hierarchy
// whose controllers reach the test's own cgroup; the vmtest VM (pure v2)
// runs it. The delegated cgroup is made inside hood's own parent (OWN/hood)
// and removed afterwards.
func TestDelegatedNarrationMatchesStrace(t *testing.T) {
	requireRoot(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("requires strace (apt-get install strace)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("requires setpriv (apt-get install util-linux)")
	}
	own := ownV2Cgroup(t)
	ctl := strings.Fields(readString(t, filepath.Join(own, "cgroup.subtree_control")))
	if !slices.Contains(ctl, "memory") || !slices.Contains(ctl, "pids") {
		t.Skipf("requires cgroup v2 with memory and pids enabled in %s/cgroup.subtree_control (has %q; the vmtest VM runs this test)", own, ctl)
	}
	bin, home := rootlessCopy(t)

	// hood's parent, made here if it is not there, with memory and pids
	// on for its children; then the delegated cgroup in it.
	parent := filepath.Join(own, "hood")
	madeParent := false
	if err := os.Mkdir(parent, 0o755); err == nil {
		madeParent = true
	} else if !os.IsExist(err) {
		t.Fatal(err)
	}
	parentCtl := strings.Fields(readString(t, filepath.Join(parent, "cgroup.subtree_control")))
	var enabled []string
	for _, c := range []string{"memory", "pids"} {
		if !slices.Contains(parentCtl, c) {
			enabled = append(enabled, c)
		}
	}
	writeCg(t, filepath.Join(parent, "cgroup.subtree_control"), "+", enabled)
	deleg := filepath.Join(parent, fmt.Sprintf("deleg-test.%d", os.Getpid()))
	if err := os.Mkdir(deleg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(deleg); err != nil {
			t.Errorf("removing the delegated cgroup: %v (hood left something in it)", err)
		}
		writeCg(t, filepath.Join(parent, "cgroup.subtree_control"), "-", enabled)
		if madeParent {
			os.Remove(parent)
		}
	})
	for _, f := range []string{"", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"} {
		if err := os.Chown(filepath.Join(deleg, f), nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}

	for i, script := range []string{
		"box new b1; cgroup set memory.max 50M; cgroup get memory.max; cgroup set pids.max 20; cgroup new web; cgroup rm web; cgroup show; box kill b1",
		"cgroup set pids.max 10; box new b2; cgroup set b2 memory.high 40M; box kill b2",
	} {
		dir := t.TempDir()
		logFile := filepath.Join(home, fmt.Sprintf("calls%d", i))
		traceFile := filepath.Join(dir, "trace")
		// A shell moves itself into the delegated cgroup, then becomes hood
		// as the user: strace itself stays out, as the scope must hold
		// only hood for its controllers to be enabled.
		sh := fmt.Sprintf(`echo $$ >%s/cgroup.procs && exec %s --reuid %d --regid %d --clear-groups %s -c "$1"`, deleg, setpriv, nobody, nobody, bin)
		cmd := exec.Command(strace, "-f", "-qq", "--seccomp-bpf", "-X", "raw", "-y", "-s", "65536",
			"-o", traceFile, "-e", "trace="+strings.Join(traceSet, ","), "/bin/sh", "-c", sh, "sh", script)
		cmd.Dir = home
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1", "HOOD_CALL_LOG=" + logFile}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("hood as uid %d in %s: %v\n%s", nobody, deleg, err, out)
		}
		for _, want := range []string{"hood-self", "cgroup.subtree_control", "memory.max"} {
			if i == 0 && !strings.Contains(string(out), want) {
				t.Errorf("the narration does not mention %s:\n%s", want, out)
			}
		}
		checkTraced(t, logFile, traceFile, out)
		t.Logf("session %d's output:\n%s", i, out)
		// hood gave the scope back as it found it
		if s := readString(t, filepath.Join(deleg, "cgroup.subtree_control")); s != "" {
			t.Errorf("after session %d, %s/cgroup.subtree_control is %q", i, deleg, s)
		}
		ents, _ := os.ReadDir(deleg)
		for _, e := range ents {
			if e.IsDir() {
				t.Errorf("after session %d, hood left the cgroup %s/%s", i, deleg, e.Name())
			}
		}
	}
}

// ownV2Cgroup is the test's own cgroup in the v2 hierarchy mounted at
// /sys/fs/cgroup, or a skip where /sys/fs/cgroup is not v2.
func ownV2Cgroup(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		t.Skip("requires cgroup v2 mounted at /sys/fs/cgroup (this host is hybrid or v1; the vmtest VM runs this test)")
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return filepath.Join("/sys/fs/cgroup", p)
		}
	}
	t.Fatal("/proc/self/cgroup has no 0:: line")
	return ""
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// writeCg writes "+c" (or "-c") for each controller to a subtree_control.
func writeCg(t *testing.T, path, sign string, ctls []string) {
	t.Helper()
	for _, c := range ctls {
		if err := os.WriteFile(path, []byte(sign+c), 0); err != nil {
			t.Errorf("writing %s%s to %s: %v", sign, c, path, err)
		}
	}
}
