package oci

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"hood/internal/rootfs"
	"hood/internal/testenv"
)

func TestSpecWriteLoad(t *testing.T) {
	sp := Spec(Config{Rootfs: "/r", Hostname: "h", Args: []string{"sleep", "1"},
		Namespaces: []specs.LinuxNamespaceType{specs.PIDNamespace}, Limits: Limits{MemoryBytes: 1 << 20, Pids: 5, CPUQuota: 1000, CPUPeriod: 100000},
		CgroupPath: "hood/x", Caps: DockerCaps, Deny: []string{"keyctl"}})
	dir := filepath.Join(t.TempDir(), "b")
	path, err := Write(dir, sp, -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "config.json") {
		t.Errorf("path %s", path)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Root.Path != "/r" || got.Hostname != "h" || got.Linux.CgroupsPath != "hood/x" || *got.Linux.Resources.Memory.Limit != 1<<20 ||
		got.Linux.Seccomp.DefaultAction != specs.ActAllow || *got.Linux.Seccomp.Syscalls[0].ErrnoRet != 1 || len(got.Linux.MaskedPaths) != len(MaskedPaths) {
		t.Errorf("round trip: %+v", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("the bundle holds more than config.json: %v", ents)
	}
	if _, err := Load(t.TempDir()); !os.IsNotExist(err) {
		t.Errorf("Load of an empty directory: %v", err)
	}
}

func TestRanLine(t *testing.T) {
	r := Ran{Argv: []string{"runc", "--root", "/a b", "it's"}}
	if got, want := r.Line(), `runc --root '/a b' 'it'\''s'`; got != want {
		t.Errorf("Line: %s, want %s", got, want)
	}
}

// A dead hood's --root goes, with the container in it; a live hood's stays.
func TestCleanupStale(t *testing.T) {
	dir := t.TempDir()
	dead, live := RootFor(dir, "999999:1"), RootFor(dir, "1:2")
	for _, d := range []string{dead, live} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var id string
	if bin, err := Find(); err == nil && os.Geteuid() == 0 {
		if _, err := rootfs.FindBusybox(); err == nil {
			id = startContainer(t, Runc{Bin: bin, Root: dead}, dir)
		}
	}
	gone := func(tok string) bool { return tok == "999999:1" }
	removed, err := CleanupStale(dir, gone)
	if err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead hood's --root is still there (removed %v)", removed)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the live hood's --root went: %v", err)
	}
	if id != "" && (len(removed) != 2 || removed[0] != "runc container "+id+" (and its cgroups)") {
		t.Errorf("removed %q", removed)
	}
}

// startContainer runs a container in a busybox rootfs under rc.Root; its
// cgroup is removed by runc delete in CleanupStale.
func startContainer(t *testing.T, rc Runc, dir string) string {
	testenv.Root(t)
	st := rootfs.At(filepath.Join(dir, "rootfs"))
	m, err := st.Make("t")
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("hood-test-%d", os.Getpid())
	b := filepath.Join(dir, "bundle")
	if _, err := Write(b, Spec(Config{Rootfs: m.Path, Args: []string{"/bin/sleep", "60"},
		Namespaces: []specs.LinuxNamespaceType{specs.PIDNamespace, specs.MountNamespace}, Limits: Limits{MemoryBytes: 64 << 20, Pids: 8, CPUQuota: 50000, CPUPeriod: 100000},
		CgroupPath: "hood/" + id, Caps: DockerCaps}), -1, -1); err != nil {
		t.Fatal(err)
	}
	if r := rc.Create(id, b); r.Err != nil {
		t.Fatal(r.Err)
	}
	t.Cleanup(func() { rc.Delete(id) })
	if r := rc.Start(id); r.Err != nil {
		t.Fatal(r.Err)
	}
	return id
}
