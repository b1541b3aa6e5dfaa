package labs

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse holds the lab loader to "an error, never a panic" on any
// YAML, seeded with the built-in labs; what it accepts has an ID and steps.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("data", "*.yaml"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("id: x\ntitle: [\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data, "fuzz.yaml")
		if err == nil && (l.ID == "" || len(l.Steps) == 0) {
			t.Fatalf("accepted a lab with no ID or no steps: %q", data)
		}
	})
}
