package labs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hood/internal/statedir"
)

// Progress is the learner's place in each lab, kept in
// $XDG_STATE_HOME/hood/progress.json (~/.local/state/hood by default). Under
// sudo it is the invoking user's file, owned by them, not root's.
type Progress struct {
	Labs map[string]*LabProgress `json:"labs"`

	path     string
	why      string // why progress is not saved, when path is ""
	uid, gid int    // owner for files created under sudo, or -1
}

// LabProgress is where one lab stands.
type LabProgress struct {
	Step    int       `json:"step"` // the step to do next, from 0
	Done    bool      `json:"done,omitempty"`
	Skipped []int     `json:"skipped,omitempty"`
	Updated time.Time `json:"updated"`
}

// Path is the progress file, or "" when progress is not saved.
func (p *Progress) Path() string { return p.path }

// Why says why progress is not saved.
func (p *Progress) Why() string { return p.why }

// Get returns a lab's progress (zero when none).
func (p *Progress) Get(id string) LabProgress {
	if lp := p.Labs[id]; lp != nil {
		return *lp
	}
	return LabProgress{}
}

// Set records a lab's progress.
func (p *Progress) Set(id string, lp *LabProgress) {
	lp.Updated = time.Now().UTC().Truncate(time.Second)
	p.Labs[id] = lp
}

// LoadProgress reads the progress file. A file that cannot be parsed is
// renamed aside (progress.json.corrupt-TIME) and reported in note; hood then
// starts from no progress rather than failing.
func LoadProgress() (p *Progress, note string) {
	p = &Progress{Labs: map[string]*LabProgress{}, uid: -1, gid: -1}
	dir, uid, gid, err := statedir.Dir()
	if err != nil {
		p.why = err.Error()
		return p, ""
	}
	p.path, p.uid, p.gid = filepath.Join(dir, "progress.json"), uid, gid
	data, err := statedir.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return p, ""
	}
	if err != nil {
		// Unreadable (a link out of the state directory, a directory in
		// its place): neither moved aside nor written over.
		p.why = err.Error()
		p.path = ""
		return p, "lab progress not saved: " + p.why
	}
	var q Progress
	if err = json.Unmarshal(data, &q); err == nil && q.Labs != nil {
		p.Labs = q.Labs
		return p, ""
	}
	if err == nil {
		err = errors.New("no \"labs\" object in it")
	}
	aside := fmt.Sprintf("%s.corrupt-%d", p.path, time.Now().Unix())
	if rerr := statedir.Rename(p.path, aside); rerr != nil {
		p.why = fmt.Sprintf("%s is unreadable (%v) and could not be moved aside (%v)", p.path, err, rerr)
		p.path = ""
		return p, "lab progress not saved: " + p.why
	}
	return p, fmt.Sprintf("lab progress: %s was unreadable (%v); it was moved to %s and progress starts afresh", p.path, err, aside)
}

// Save writes the file atomically (a temporary file renamed over it),
// mode 0600, in a directory of mode 0700, both the invoking user's under
// sudo (statedir.WriteFile).
func (p *Progress) Save() error {
	if p.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return statedir.WriteFile(p.path, append(data, '\n'), 0o600, p.uid, p.gid)
}
