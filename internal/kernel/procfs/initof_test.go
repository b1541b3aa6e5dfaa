package procfs

import "testing"

func TestInitOf(t *testing.T) {
	fs := New("testdata/proc")
	pids, _ := fs.PIDs()
	var link string
	want := 0
	for _, pid := range pids {
		st, err := fs.Status(pid)
		if err == nil && len(st.NSpid) > 1 && st.NSpid[len(st.NSpid)-1] == 1 {
			l, err := fs.NS(pid, "pid")
			if err == nil {
				link, want = l.String(), pid
			}
		}
	}
	if want == 0 {
		t.Fatal("the fixture tree has no PID 1 of a PID namespace")
	}
	if got := fs.InitOf(link); got != want {
		t.Errorf("InitOf(%s) = %d, want %d", link, got, want)
	}
	if got := fs.InitOf("pid:[1]"); got != 0 {
		t.Errorf("InitOf a namespace no process is in = %d", got)
	}
}
