// Package labs holds hood's guided labs: walkthroughs from the classic
// namespace and cgroup tutorials, as data (one YAML file per lab, embedded
// in the binary), and the runner that checks each step against the live
// kernel after every command the learner types. docs/labs.md describes the
// format for instructors who write their own.
package labs

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lab is one guided lab.
type Lab struct {
	ID      string   `yaml:"id"`
	Title   string   `yaml:"title"`
	Minutes int      `yaml:"minutes"`
	Source  string   `yaml:"source"` // the tutorials it follows (LABS.md tags)
	Needs   []string `yaml:"needs"`  // see Requirement
	// Rootless: why the lab needs real root, when it does (see Step).
	Rootless string `yaml:"rootless"`
	Intro    string `yaml:"intro"`
	Outro    string `yaml:"outro"`
	Next     string `yaml:"next"` // the lab to suggest afterwards
	Steps    []Step `yaml:"steps"`
	order    int
	file     string
}

// Step is one thing to do, and how to tell that it is done.
type Step struct {
	Title    string   `yaml:"title"`
	Text     string   `yaml:"text"`
	Try      []string `yaml:"try"`      // commands to suggest
	Hints    []string `yaml:"hints"`    // shown one at a time by lab hint
	Solution []string `yaml:"solution"` // the reference solution: hood command lines
	Checks   []Check  `yaml:"checks"`   // all must hold for the step to be done
	Needs    []string `yaml:"needs"`    // extra requirements of this step only
	// Rootless says, for a step that needs real root, why a user namespace
	// is not enough and which step works without root, if one does.
	Rootless string `yaml:"rootless"`
}

//go:embed data/*.yaml
var builtin embed.FS

// Builtin returns the labs compiled into hood, in catalogue order.
func Builtin() ([]*Lab, error) {
	files, err := fs.Glob(builtin, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	var labs []*Lab
	for _, f := range files {
		data, err := builtin.ReadFile(f)
		if err != nil {
			return nil, err
		}
		l, err := Parse(data, f)
		if err != nil {
			return nil, err
		}
		labs = append(labs, l)
	}
	sort.Slice(labs, func(i, j int) bool { return labs[i].order < labs[j].order })
	return labs, nil
}

// catalogue is LABS.md's order; labs not listed sort after, by id.
var catalogue = []string{"uts", "ns-inodes", "pid", "user", "mnt", "net", "ipc", "time", "cgroupns", "rootfs", "ns-api",
	"cg-tour", "cg-cpu", "cg-memory", "cg-pids", "cg-cpuset", "cg-io", "cg-freeze", "cg-psi",
	"devices", "caps", "seccomp", "container"}

// validID: a lower-case letter, then up to 31 lower-case letters, digits
// or dashes.
func validID(id string) bool {
	if id == "" || len(id) > 32 || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Parse reads one lab from YAML and checks that it is complete: a lab a
// learner cannot finish, or whose checks cannot be evaluated, is refused
// here with the file and the step named, not discovered in a workshop.
func Parse(data []byte, file string) (*Lab, error) {
	var l Lab
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l.file = file
	l.order = len(catalogue)
	for i, id := range catalogue {
		if id == l.ID {
			l.order = i
		}
	}
	if err := l.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &l, nil
}

func (l *Lab) validate() error {
	if !validID(l.ID) {
		return fmt.Errorf("id %q: use lower-case letters, digits and -", l.ID)
	}
	if l.Title == "" || l.Intro == "" {
		return fmt.Errorf("lab %s needs a title and an intro", l.ID)
	}
	if l.Minutes <= 0 {
		return fmt.Errorf("lab %s: minutes must be a positive estimate", l.ID)
	}
	if len(l.Steps) == 0 {
		return fmt.Errorf("lab %s has no steps", l.ID)
	}
	for _, n := range l.Needs {
		if _, err := requirement(n); err != nil {
			return fmt.Errorf("lab %s: %w", l.ID, err)
		}
	}
	for i, st := range l.Steps {
		where := fmt.Sprintf("lab %s, step %d (%s)", l.ID, i+1, st.Title)
		switch {
		case st.Title == "" || st.Text == "":
			return fmt.Errorf("%s: a step needs a title and a text", where)
		case len(st.Hints) == 0:
			return fmt.Errorf("%s: a step needs at least one hint", where)
		case len(st.Solution) == 0:
			return fmt.Errorf("%s: a step needs a reference solution", where)
		case len(st.Checks) == 0:
			return fmt.Errorf("%s: a step needs at least one check of the system's state", where)
		}
		for _, line := range append(append([]string(nil), st.Try...), st.Solution...) {
			for _, w := range strings.Split(line, ";") {
				f := strings.Fields(w)
				if len(f) > 0 && (f[0] == "lab" || f[0] == "exit") {
					return fmt.Errorf("%s: %q: a step's commands may not be lab or exit commands", where, line)
				}
			}
		}
		for _, n := range st.Needs {
			if _, err := requirement(n); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
		for j, c := range st.Checks {
			if err := c.validate(); err != nil {
				return fmt.Errorf("%s, check %d: %w", where, j+1, err)
			}
		}
	}
	return nil
}

// Find returns the lab with id among labs.
func Find(labs []*Lab, id string) (*Lab, error) {
	var ids []string
	for _, l := range labs {
		if l.ID == id {
			return l, nil
		}
		ids = append(ids, l.ID)
	}
	return nil, fmt.Errorf("no lab %q; the labs are: %s (lab list describes them)", id, strings.Join(ids, ", "))
}
