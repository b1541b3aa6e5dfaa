// Package explain is hood's knowledge base: a short, accurate answer in
// hood's own words for every word hood shows (CLONE_NEWUTS,
// pid_for_children, cpu.max, nr_throttled, EBUSY, CapBnd, ...), with where
// to read more, related words and a command to try. Entries are YAML, one
// file per group, embedded in the binary.
package explain

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"hood/internal/spell"
)

// Entry is one topic.
type Entry struct {
	Name    string   `yaml:"name"`    // the word as hood shows it: "CLONE_NEWUTS", "cpu.max"
	Aliases []string `yaml:"aliases"` // other words that find it: "uts namespace"
	Value   *uint64  `yaml:"value"`   // a numeric constant (flag, errno, capability number)
	Title   string   `yaml:"title"`   // one line; none for a command (its usage line is in the table)
	Short   string   `yaml:"short"`   // what it is, fits on a screen
	Details string   `yaml:"details"` // more, for explain WORD --more
	See     []string `yaml:"see"`     // related entries, by name
	Man     string   `yaml:"man"`     // "namespaces(7), unshare(2)"
	Try     string   `yaml:"try"`     // a hood command to try
	Group   string   `yaml:"-"`
}

// File is one group's file.
type File struct {
	Group   string  `yaml:"group"` // "capabilities"
	About   string  `yaml:"about"` // one line for the list of groups
	Entries []Entry `yaml:"entries"`
}

// KB is the loaded knowledge base.
type KB struct {
	Files   []File
	byName  map[string]*Entry // exact names and aliases
	byLower map[string]*Entry
	whyBy   map[[2]string]Why // why.yaml by call and errno
	whys    []Why             // why.yaml by errno
}

//go:embed data/*.yaml
var data embed.FS

var (
	once   sync.Once
	loaded *KB
	errKB  error
)

// Load reads the embedded entries and the meanings of errnos (why.yaml)
// once; later calls return the same KB.
func Load() (*KB, error) {
	once.Do(func() {
		files, err := fs.Glob(data, "data/*.yaml")
		if err != nil {
			errKB = err
			return
		}
		var parsed []File
		for _, f := range files {
			b, err := data.ReadFile(f)
			if err != nil {
				errKB = err
				return
			}
			var file File
			if err := decodeStrict(b, &file); err != nil {
				errKB = fmt.Errorf("%s: %w", f, err)
				return
			}
			parsed = append(parsed, file)
		}
		kb, err := build(parsed)
		if err == nil {
			kb.whyBy, kb.whys, err = whyTable(whyData)
		}
		if err != nil {
			errKB = err
			return
		}
		loaded = kb
	})
	return loaded, errKB
}

// decodeStrict decodes YAML, refusing keys v has no field for.
func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func build(files []File) (*KB, error) {
	kb := &KB{Files: files, byName: map[string]*Entry{}, byLower: map[string]*Entry{}}
	for i := range kb.Files {
		f := &kb.Files[i]
		if f.Group == "" {
			return nil, fmt.Errorf("a file has no group")
		}
		for j := range f.Entries {
			e := &f.Entries[j]
			e.Group = f.Group
			if err := check(f.Group, e); err != nil {
				return nil, err
			}
			for _, w := range append([]string{e.Name}, e.Aliases...) {
				if prev, dup := kb.byName[w]; dup {
					return nil, fmt.Errorf("%q names both %s (%s) and %s (%s)", w, prev.Name, prev.Group, e.Name, e.Group)
				}
				kb.byName[w] = e
				if _, taken := kb.byLower[strings.ToLower(w)]; !taken {
					kb.byLower[strings.ToLower(w)] = e
				}
			}
		}
	}
	return kb, nil
}

// CommandGroup is the group of hood's commands. Their usage line and
// summary live in the command table alone (the commands package shows
// them), so these entries carry no title: only the meaning, man pages and
// a line to try.
const CommandGroup = "hood commands"

func check(group string, e *Entry) error {
	switch {
	case e.Name == "" || e.Short == "":
		return fmt.Errorf("group %s: entry %q needs a name and a short text", group, e.Name)
	case group == CommandGroup && e.Title != "":
		return fmt.Errorf("group %s: entry %q has a title: the command table gives its usage line, delete it", group, e.Name)
	case group != CommandGroup && e.Title == "":
		return fmt.Errorf("group %s: entry %q needs a title", group, e.Name)
	}
	return nil
}

// Get finds an entry by its exact name or alias.
func (kb *KB) Get(name string) *Entry { return kb.byName[name] }

// Names lists every entry name, sorted (for completion).
func (kb *KB) Names() []string {
	var out []string
	for _, f := range kb.Files {
		for _, e := range f.Entries {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Answer is what explain WORD finds.
type Answer struct {
	Entry   *Entry   // the entry, or nil
	Flags   []*Entry // a number decoded as a combination of CLONE_* flags
	Rest    uint64   // bits of that number no flag explains
	Similar []string // other matches, or "did you mean" names
}

// Find looks a word up: exact names and aliases first, then case-insensitive,
// then a unique prefix of at least minPrefix letters; a number is matched
// against entries' values, and else decoded as namespace flags. Failing all
// that, the nearest names.
func (kb *KB) Find(word string) Answer {
	word = strings.TrimSpace(word)
	if e := kb.byName[word]; e != nil {
		return Answer{Entry: e}
	}
	if e := kb.byLower[strings.ToLower(word)]; e != nil {
		return Answer{Entry: e}
	}
	if n, err := strconv.ParseUint(word, 0, 64); err == nil && (strings.HasPrefix(word, "0x") || strings.HasPrefix(word, "0X")) {
		return kb.number(n)
	}
	if prefix := kb.prefixed(word); len(prefix) == 1 {
		return Answer{Entry: kb.byName[prefix[0]]}
	} else if len(prefix) > 1 {
		return Answer{Similar: prefix}
	}
	return Answer{Similar: kb.nearest(word)}
}

// minPrefix is the shortest word a prefix match answers: a shorter one
// is too likely another word altogether ("ps" is not PSI), so it must
// match a name exactly.
const minPrefix = 3

// prefixed lists the names that start with word, in any case.
func (kb *KB) prefixed(word string) []string {
	if len(word) < minPrefix {
		return nil
	}
	var out []string
	for _, name := range kb.Names() {
		if strings.HasPrefix(strings.ToLower(name), strings.ToLower(word)) {
			out = append(out, name)
		}
	}
	return out
}

// number answers a hexadecimal number: the entry with exactly that value
// when there is one, else its decoding as CLONE_NEW* flags
// (explain 0x20020000); several entries sharing the value are listed.
func (kb *KB) number(n uint64) Answer {
	var exact []string
	for _, f := range kb.Files {
		for _, e := range f.Entries {
			if e.Value != nil && *e.Value == n {
				exact = append(exact, e.Name)
			}
		}
	}
	if len(exact) == 1 {
		return Answer{Entry: kb.byName[exact[0]]}
	}
	var flags []*Entry
	rest := n
	for _, f := range kb.Files {
		if f.Group != "namespace flags" {
			continue
		}
		for i := range f.Entries {
			e := &f.Entries[i]
			if e.Value != nil && *e.Value != 0 && n&*e.Value == *e.Value {
				flags = append(flags, e)
				rest &^= *e.Value
			}
		}
	}
	switch {
	case len(flags) > 1 && rest == 0:
		return Answer{Flags: flags}
	case len(exact) > 1:
		return Answer{Similar: exact}
	case len(flags) > 0:
		return Answer{Flags: flags, Rest: rest}
	}
	return Answer{}
}

func (kb *KB) nearest(word string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	lw := strings.ToLower(word)
	for _, name := range kb.Names() {
		ln := strings.ToLower(name)
		d := spell.Distance(lw, ln)
		if strings.Contains(ln, lw) && len(lw) >= 3 {
			d = 1
		}
		if d <= 2+len(word)/6 {
			cs = append(cs, cand{name, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].name < cs[j].name })
	var out []string
	for i := 0; i < len(cs) && i < 6; i++ {
		out = append(out, cs[i].name)
	}
	return out
}
