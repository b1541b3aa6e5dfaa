package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedDoc fails when docs/commands.md is not what the table
// generates, as delve's TestGeneratedDoc does for its CLI reference.
func TestGeneratedDoc(t *testing.T) {
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skip("requires hood's source tree next to the test binary (the VM lane runs the binary alone)")
	}
	var want bytes.Buffer
	if err := WriteDoc(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, DocPath))
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("%s is stale: run %s (%v)", DocPath, DocCommand, err)
	}
}

func TestWriteDoc(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDoc(&b); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	for _, c := range Table() {
		for _, want := range []string{"\n## " + c.Name() + "\n", "\n" + c.UsageLine + "\n", "](#" + anchor(c.Name()) + ")"} {
			if !strings.Contains(doc, want) {
				t.Errorf("the doc lacks %q for %s", want, c.Name())
			}
		}
	}
	// An indented option table stays a code block.
	if got := markdown("Text.\n\n  --a  one\n  --b  two"); got != "Text.\n\n```\n  --a  one\n  --b  two\n```\n" {
		t.Errorf("markdown = %q", got)
	}
}
