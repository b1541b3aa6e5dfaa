package lsm

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An Ubuntu-like tree: AppArmor on, a confined process.
func TestReadUbuntuLike(t *testing.T) {
	d := t.TempDir()
	r := Roots{Sys: d + "/sys", Proc: d + "/proc"}
	write(t, d+"/sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor\n")
	write(t, d+"/sys/module/apparmor/parameters/enabled", "Y\n")
	write(t, d+"/proc/42/attr/current", "docker-default (enforce)\n")
	write(t, d+"/proc/42/attr/apparmor/current", "docker-default (enforce)\n")
	k := r.ReadKernel()
	if !k.Securityfs || !k.AppArmor || k.SELinux || len(k.List) != 5 || k.List[4] != "apparmor" {
		t.Fatalf("kernel: %+v", k)
	}
	ls := r.Labels(42)
	if ls[0].Value != "docker-default (enforce)" || ls[0].Err != nil {
		t.Fatalf("labels: %+v", ls)
	}
}

// A machine with none: no securityfs, no label files.
func TestReadNone(t *testing.T) {
	d := t.TempDir()
	r := Roots{Sys: d + "/sys", Proc: d + "/proc"}
	k := r.ReadKernel()
	if k.Securityfs || k.List != nil || k.ListErr == nil || k.AppArmor || k.SELinux {
		t.Fatalf("kernel: %+v", k)
	}
	for _, l := range r.Labels(42) {
		if !NoLSM(l.Err) {
			t.Fatalf("label %s: %v", l.File, l.Err)
		}
	}
}
