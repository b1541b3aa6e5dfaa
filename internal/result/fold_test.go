package result

import "testing"

func TestFold(t *testing.T) {
	r := &Result{}
	r.Add(Syscall{Name: "unshare"})
	from := len(r.Syscalls)
	r.Fold(from, "nothing yet")
	r.Add(Syscall{Name: "mkdirat"})
	r.Fold(from, "one call")
	if len(r.Folds) != 0 {
		t.Fatalf("folded fewer than two calls: %+v", r.Folds)
	}
	r.Add(Syscall{Name: "mkdirat"})
	r.Fold(from, "two mkdirs")
	if len(r.Folds) != 1 || r.Folds[0] != (Fold{1, 3, "two mkdirs"}) {
		t.Fatalf("folds %+v, want {1 3 two mkdirs}", r.Folds)
	}
}

func TestParseNarration(t *testing.T) {
	for in, want := range map[string]Narration{"brief": NarrateBrief, "full": NarrateFull, "on": NarrateFull, "off": NarrateOff} {
		if got, ok := ParseNarration(in); !ok || got != want {
			t.Errorf("ParseNarration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := ParseNarration("loud"); ok {
		t.Error("ParseNarration accepted loud")
	}
}
