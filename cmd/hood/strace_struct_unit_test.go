package main

import "testing"

// The capset structs hood narrates agree with strace -X raw's, and a
// difference in one bit is caught.
func TestStructMismatch(t *testing.T) {
	if m := structMismatch("{version=_LINUX_CAPABILITY_VERSION_3, pid=0}", "{version=0x20080522, pid=0}"); m != "" {
		t.Error(m)
	}
	data := "{effective=1<<CAP_CHOWN|1<<CAP_BPF, permitted=1<<CAP_CHOWN|1<<CAP_BPF, inheritable=0}"
	if m := structMismatch(data, "{effective=0x1|0x80, permitted=0x1|0x80, inheritable=0}"); m != "" {
		t.Error(m)
	}
	for _, bad := range []string{"{effective=0x1, permitted=0x1|0x80, inheritable=0}", "{effective=0x1|0x80, permitted=0x1|0x80, inheritable=0x1}",
		"{effective=0x1|0x80, permitted=0x1|0x80}", "0x7ffd1234"} {
		if m := structMismatch(data, bad); m == "" {
			t.Errorf("%s taken for %s", bad, data)
		}
	}
	if m := structMismatch("{version=_LINUX_CAPABILITY_VERSION_3, pid=0}", "{version=0x20080522, pid=4242}"); m == "" {
		t.Error("pid 4242 taken for 0")
	}
}
