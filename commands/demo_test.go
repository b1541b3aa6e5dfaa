package commands

import (
	"slices"
	"strings"
	"testing"

	"hood/demo"
)

// Every line of the built-in demos is a hood command (their kernel effects
// are checked by hood demo --check-all, which CI runs as root).
func TestBuiltinDemosAreCommands(t *testing.T) {
	all, err := demo.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if err := CheckDemo(s); err != nil {
			t.Error(err)
		}
	}
}

// box export --demo quotes each word so that the demo's line splits back
// into the words the command had.
func TestHoodWordRoundTrip(t *testing.T) {
	words := []string{"plain", "", "two words", "it's", `say "hi"`, "a;b", "#not-a-comment", `back\slash`, "$HOME", "`x`", `it's "both"`}
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, hoodWord(w))
	}
	cmds, err := Split("run " + strings.Join(quoted, " "))
	if err != nil || len(cmds) != 1 {
		t.Fatalf("Split: %v %q", err, cmds)
	}
	if got := cmds[0][1:]; !slices.Equal(got, words) {
		t.Errorf("round trip:\n got  %q\n want %q", got, words)
	}
}
