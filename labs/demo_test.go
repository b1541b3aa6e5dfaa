package labs

import (
	"strings"
	"testing"

	"hood/demo"
)

// Every lab makes a demo: a caption per step, its solution lines as the
// commands, or a caption saying why the step is left out here.
func TestDemoOfEveryLab(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		s := Demo(l)
		if s.Name != "lab:"+l.ID || s.Items[0].Kind != demo.Caption || !strings.HasPrefix(s.Items[0].Text, "Lab "+l.ID+": ") {
			t.Errorf("%s: the demo starts %+v", l.ID, s.Items[0])
		}
		steps, commands := 0, 0
		for _, it := range s.Items {
			switch {
			case it.Kind == demo.Caption && (strings.HasPrefix(it.Text, "Step ") || strings.HasPrefix(it.Text, "(Step ")):
				steps++
			case it.Kind == demo.Command:
				commands++
				if !it.MayFail || it.Line < 1 || it.Line > len(l.Steps) {
					t.Errorf("%s: command %+v: want MayFail and its step as Line", l.ID, it)
				}
			}
		}
		want := 0
		for _, st := range l.Steps {
			if len(missing(st.Needs, st.Rootless)) == 0 {
				want += len(st.Solution)
			}
		}
		if steps != len(l.Steps) || commands != want {
			t.Errorf("%s: %d step captions and %d commands, want %d and %d", l.ID, steps, commands, len(l.Steps), want)
		}
	}
}
