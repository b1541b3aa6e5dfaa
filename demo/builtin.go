package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed data/*.demo
var builtin embed.FS

// Builtin returns the demos that come with hood, the five-minute
// container-from-scratch talk first, then by name.
func Builtin() ([]*Script, error) {
	files, err := fs.Glob(builtin, "data/*.demo")
	if err != nil {
		return nil, err
	}
	var out []*Script
	for _, f := range files {
		data, err := builtin.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s, err := Parse(data, strings.TrimSuffix(path.Base(f), ".demo"))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Name == First) != (out[j].Name == First) {
			return out[i].Name == First
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// First is the demo `hood demo` plays when given no name.
const First = "container-from-scratch"

// Find returns the built-in demo called name.
func Find(name string) (*Script, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range all {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("no demo called %q: the built-in ones are %s (hood demo --list), lab:ID for a lab, or a file's path (with a / or ending in .demo: ./%s)", name, strings.Join(names, ", "), name)
}

// Write makes a demo script of command lines: a title caption, then the
// lines in order, each group of lines under the caption given for it
// (captions[i] goes before lines[i] when not empty).
func Write(title string, lines, captions []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "@title %s\n# %s\n", title, title)
	for i, l := range lines {
		if i < len(captions) && captions[i] != "" {
			fmt.Fprintf(&b, "\n# %s\n", captions[i])
		}
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}
