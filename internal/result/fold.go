package result

import "fmt"

// Fold is a run of calls, Syscalls[From:To], that brief narration shows as
// one line, Summary: plumbing that repeats per hierarchy or per file, where
// the count and the names are the lesson and each call is not.
type Fold struct {
	From, To int
	Summary  string // "mkdir hood/box1 and write its cgroup.procs in 10 hierarchies (...)"
}

// Fold folds every call added since index from into one line of brief
// narration. A single call is its own best summary and is not folded.
func (r *Result) Fold(from int, summary string) {
	if from < 0 || len(r.Syscalls)-from < 2 {
		return
	}
	r.Folds = append(r.Folds, Fold{From: from, To: len(r.Syscalls), Summary: summary})
}

// Narration is how much of what a command did is shown.
type Narration int

const (
	NarrateBrief Narration = iota // folds as their summary line (the default)
	NarrateFull                   // every call
	NarrateOff                    // only what the learner asked to see
)

var narrationNames = []string{"brief", "full", "off"}

func (n Narration) String() string {
	if n < 0 || int(n) >= len(narrationNames) {
		return fmt.Sprintf("Narration(%d)", int(n))
	}
	return narrationNames[n]
}

// ParseNarration reads brief, full or off; on is full, as `narrate on`
// always showed every call.
func ParseNarration(s string) (Narration, bool) {
	if s == "on" {
		return NarrateFull, true
	}
	for i, name := range narrationNames {
		if s == name {
			return Narration(i), true
		}
	}
	return 0, false
}
