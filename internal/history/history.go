// Package history keeps the lines typed at hood's prompt across sessions,
// in the file `history` of hood's state directory (internal/statedir),
// mode 0600, owned under sudo by the invoking user. The format is
// described in docs/history.md: one JSON object a line, appended with
// O_APPEND in a single write, so that two hoods running at once never
// interleave their entries.
package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/statedir"
)

// Where a line came from.
const (
	Typed = "typed" // typed at the interactive prompt
	Solve = "solve" // typed out by `lab solve`, from a lab's reference solution
)

// Entry is one line of the history file.
type Entry struct {
	Time    time.Time `json:"time"`           // when it was entered, RFC 3339
	Session string    `json:"session"`        // the hood that ran it: "PID:STARTTIME"
	Source  string    `json:"source"`         // Typed or Solve
	Lab     string    `json:"lab,omitempty"`  // Solve: the lab's id
	Step    int       `json:"step,omitempty"` // Solve: the step, from 1
	Line    string    `json:"line"`           // the line as typed
}

// The file holds at most TrimAt entries: past that, it is cut to the last
// Keep, atomically (a new file renamed over it).
const (
	Keep   = 1000
	TrimAt = 2000
	// MaxLine: a longer line is not kept (nobody types it; it would make
	// one write too big to be sure to land whole).
	MaxLine = 16 << 10
)

// HistoryPath is the history file: `history` in hood's state directory.
func HistoryPath() (string, error) {
	dir, _, _, err := statedir.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "history"), nil
}

// ReadHistory reads every entry of the history file at path, oldest
// first. A line that is not an entry (corrupt, cut short, written by
// something else) is skipped. A missing file is an error satisfying
// errors.Is(err, fs.ErrNotExist).
func ReadHistory(path string) ([]Entry, error) {
	data, err := statedir.ReadFile(path)
	if err != nil {
		return nil, err
	}
	entries, _ := parse(data)
	return entries, nil
}

// parse gives the entries in data and how many lines it has.
func parse(data []byte) ([]Entry, int) {
	var out []Entry
	n := 0
	for line := range bytes.Lines(data) {
		n++
		var e Entry
		if json.Unmarshal(line, &e) != nil || !e.valid() {
			continue
		}
		out = append(out, e)
	}
	return out, n
}

func (e *Entry) valid() bool {
	return e.Line != "" && len(e.Line) <= MaxLine && !e.Time.IsZero() &&
		(e.Source == Typed || e.Source == Solve && e.Lab != "" && e.Step > 0)
}

// Log is this hood's history: it appends to the file.
type Log struct {
	Path     string
	session  string
	uid, gid int
}

// Open opens the history and loads its last n entries, oldest first,
// trimming the file when it has grown past TrimAt lines. It fails when the
// state directory is unknown or the file cannot be written; a file not
// made yet is made (empty).
func Open(n int) (*Log, []Entry, error) {
	path, err := HistoryPath()
	if err != nil {
		return nil, nil, err
	}
	_, uid, gid, err := statedir.Dir()
	if err != nil {
		return nil, nil, err
	}
	l := &Log{Path: path, uid: uid, gid: gid, session: Session(os.Getpid())}
	f, err := l.lock()
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := statedir.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	entries, lines := parse(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		// A line cut short (a full disk): the next entry starts afresh.
		if _, err := f.Write([]byte{'\n'}); err != nil {
			return nil, nil, err
		}
	}
	if lines > TrimAt {
		if len(entries) > Keep {
			entries = entries[len(entries)-Keep:]
		}
		var buf bytes.Buffer
		for _, e := range entries {
			b, _ := json.Marshal(e)
			buf.Write(append(b, '\n'))
		}
		if err := statedir.WriteFile(path, buf.Bytes(), 0o600, uid, gid); err != nil {
			return nil, nil, err
		}
	}
	if len(entries) > n {
		entries = entries[len(entries)-n:]
	}
	return l, entries, nil
}

// Session names the hood with PID pid for good: "PID:STARTTIME", its start
// time in clock ticks after boot (/proc/PID/stat), as owner marks do.
func Session(pid int) string {
	st, err := procfs.Host.Stat(pid)
	if err != nil {
		return fmt.Sprint(pid)
	}
	return fmt.Sprintf("%d:%d", pid, st.StartTime)
}

// lock opens the file for appending and takes its lock, which a trim holds
// while it rewrites the file: an append waiting for it then finds the file
// renamed over (no link left) and opens the new one.
func (l *Log) lock() (*os.File, error) {
	for try := 0; ; try++ {
		f, err := statedir.OpenAppend(l.Path, 0o600, l.uid, l.gid)
		if err != nil {
			return nil, err
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.Path, err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Nlink > 0 || try == 3 {
			return f, err
		}
		f.Close()
	}
}

// Append adds one entry (its Time and Session filled in when empty) in one
// write.
func (l *Log) Append(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().Truncate(time.Second)
	}
	if e.Session == "" {
		e.Session = l.session
	}
	if !e.valid() {
		return errors.New("history: not an entry: " + e.Line)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := l.lock()
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(b, '\n'))
	return err
}

// IsMissing reports whether err says there is no history file yet.
func IsMissing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
