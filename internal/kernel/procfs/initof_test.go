package procfs

import "testing"

// The fixture's hood-init, 4251, is PID 1 ("NSpid: 4251 1") of
// pid:[4026532300]; the host's pid:[4026531836] holds no PID 1 in the tree
// (kthreadd is PID 2 there), and no process is in pid:[1].
func TestInitOf(t *testing.T) {
	for link, want := range map[string]int{
		"pid:[4026532300]": 4251,
		"pid:[4026531836]": 0,
		"pid:[1]":          0,
	} {
		if got := good.InitOf(link); got != want {
			t.Errorf("InitOf(%s) = %d, want %d", link, got, want)
		}
	}
}
