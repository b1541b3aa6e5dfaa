package explain

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"
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

var whys struct {
	once  sync.Once
	byKey map[[2]string]Why
	all   []Why
	err   error
}

func loadWhys() {
	var f struct {
		Why []Why `yaml:"why"`
	}
	if err := yaml.Unmarshal(whyData, &f); err != nil {
		whys.err = fmt.Errorf("explain/why/why.yaml: %w", err)
		return
	}
	whys.byKey = map[[2]string]Why{}
	for _, w := range f.Why {
		k := [2]string{w.Call, w.Errno}
		if _, dup := whys.byKey[k]; dup || w.Call == "" || w.Errno == "" || w.Why == "" {
			whys.err = fmt.Errorf("explain/why/why.yaml: %s %s is empty or given twice", w.Call, w.Errno)
			return
		}
		whys.byKey[k] = w
	}
	whys.all = f.Why
	sort.SliceStable(whys.all, func(i, j int) bool { return whys.all[i].Errno < whys.all[j].Errno })
}

// WhyOf is what errno (its name, "EPERM") means for call (a narrated call's
// name, or a family: cgroup, procfile, file), if the knowledge base says.
func WhyOf(call, errno string) (Why, bool) {
	whys.once.Do(loadWhys)
	w, ok := whys.byKey[[2]string{call, errno}]
	return w, ok
}

// Whys lists every call's meaning of errno, or all of them for "".
func Whys(errno string) ([]Why, error) {
	whys.once.Do(loadWhys)
	var out []Why
	for _, w := range whys.all {
		if errno == "" || w.Errno == errno {
			out = append(out, w)
		}
	}
	return out, whys.err
}
