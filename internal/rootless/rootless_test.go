package rootless

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSubIDs(t *testing.T) {
	f := filepath.Join(t.TempDir(), "subuid")
	data := "# comment\nalice:100000:65536\n4242:200000:1000\nbroken:x:1\nzero:300000:0\n"
	if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, ok := SubIDs(f, 4242); !ok || r != (Range{200000, 1000}) {
		t.Errorf("uid 4242 (by number): got %v %v, want 200000:1000", r, ok)
	}
	if _, ok := SubIDs(f, 4343); ok {
		t.Errorf("uid 4343 has no line, yet a range was found")
	}
	if _, ok := SubIDs(filepath.Join(t.TempDir(), "none"), 0); ok {
		t.Errorf("a missing file gave a range")
	}
}

func TestPlanWithoutRanges(t *testing.T) {
	old1, old2 := SubUIDFile, SubGIDFile
	defer func() { SubUIDFile, SubGIDFile = old1, old2 }()
	SubUIDFile, SubGIDFile = filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	p := MakePlan()
	if p.SubUID != nil || p.NewUIDMap != "" || !strings.Contains(p.Why, "no range") {
		t.Errorf("no subordinate files: want the single map and a reason, got %+v", p)
	}
	if p.UID != os.Geteuid() || p.GID != os.Getegid() {
		t.Errorf("plan maps %d:%d, want hood's own %d:%d", p.UID, p.GID, os.Geteuid(), os.Getegid())
	}
}

func TestArgs(t *testing.T) {
	got := Args(77, 1000, Range{100000, 65536})
	want := []string{"77", "0", "1000", "1", "1", "100000", "65536"}
	if !slices.Equal(got, want) {
		t.Errorf("Args = %v, want %v", got, want)
	}
}
