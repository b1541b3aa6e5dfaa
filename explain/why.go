package explain

import (
	_ "embed"
	"fmt"
	"sort"
)

// Why is what an errno means for one call, and what fixes it.
type Why struct {
	Call  string `yaml:"call"`
	Errno string `yaml:"errno"`
	Why   string `yaml:"why"`
	Fix   string `yaml:"fix"`
}

//go:embed why/why.yaml
var whyData []byte

// whyTable reads why.yaml: every entry keyed by call and errno, and all of
// them ordered by errno.
func whyTable(data []byte) (map[[2]string]Why, []Why, error) {
	const file = "explain/why/why.yaml"
	var f struct {
		Why []Why `yaml:"why"`
	}
	if err := decodeStrict(data, &f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	byKey := map[[2]string]Why{}
	for _, w := range f.Why {
		k := [2]string{w.Call, w.Errno}
		if _, dup := byKey[k]; dup || w.Call == "" || w.Errno == "" || w.Why == "" {
			return nil, nil, fmt.Errorf("%s: %s %s is empty or given twice", file, w.Call, w.Errno)
		}
		byKey[k] = w
	}
	sort.SliceStable(f.Why, func(i, j int) bool { return f.Why[i].Errno < f.Why[j].Errno })
	return byKey, f.Why, nil
}

// WhyOf is what errno (its name, "EPERM") means for call (a narrated call's
// name, or a family: cgroup, procfile, file), if the knowledge base says.
func WhyOf(call, errno string) (Why, bool) {
	kb, err := Load()
	if err != nil {
		return Why{}, false
	}
	w, ok := kb.whyBy[[2]string{call, errno}]
	return w, ok
}

// Whys lists every call's meaning of errno, or all of them for "".
func Whys(errno string) ([]Why, error) {
	kb, err := Load()
	if err != nil {
		return nil, err
	}
	var out []Why
	for _, w := range kb.whys {
		if errno == "" || w.Errno == errno {
			out = append(out, w)
		}
	}
	return out, nil
}
