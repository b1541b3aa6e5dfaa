package commands

import (
	"testing"

	"hood/internal/rootfs"
)

func TestCompleteRootfsNames(t *testing.T) {
	if _, err := rootfs.FindBusybox(); err != nil {
		t.Skip(err)
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	st, _ := rootfs.Open()
	if _, err := st.Make("alpha"); err != nil {
		t.Fatal(err)
	}
	s := NewSession()
	for _, line := range []string{"chroot al", "pivot_root ", "rootfs rm a"} {
		found := false
		for _, sg := range s.Complete(line) {
			if sg.Text == "alpha" {
				found = true
			}
		}
		if !found {
			t.Errorf("%q does not complete alpha: %v", line, s.Complete(line))
		}
	}
}
