package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"hood/internal/statedir"
	"hood/internal/testenv"
)

func stateHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("SUDO_USER", "")
	return dir
}

func TestAppendAndLoad(t *testing.T) {
	home := stateHome(t)
	l, got, err := Open(100)
	if err != nil || len(got) != 0 {
		t.Fatalf("Open on a new state dir: %v, %v", got, err)
	}
	want := filepath.Join(home, "hood", "history")
	if l.Path != want {
		t.Fatalf("path %s, want %s", l.Path, want)
	}
	if err := l.Append(Entry{Source: Typed, Line: "unshare uts"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Entry{Source: Solve, Lab: "uts", Step: 2, Line: "hostname set box"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Entry{Source: Solve, Line: "no lab"}); err == nil {
		t.Error("a solve entry without its lab was appended")
	}
	st, err := os.Stat(want)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("history file: %v, mode %v; want 0600", err, st.Mode())
	}
	// A foreign or corrupt line is skipped, never fatal.
	f, _ := os.OpenFile(want, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("not json\n{\"line\":\"no time\",\"source\":\"typed\"}\n{\"time\":\"2026-01-02T03:04:05Z\",\"session\":\"1:2\",\"source\":\"typed\",\"line\":\"ns ls\"}\n{\"time\":\"2026-01-02T03:04:05Z\",\"line\":\"cut short")
	f.Close()
	// Open ends the cut line, so the next entry starts a line of its own.
	if _, _, err = Open(100); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Entry{Source: Typed, Line: "after the cut"}); err != nil {
		t.Fatal(err)
	}
	_, got, _ = Open(100)
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Source+":"+e.Line)
	}
	if strings.Join(lines, "|") != "typed:unshare uts|solve:hostname set box|typed:ns ls|typed:after the cut" {
		t.Fatalf("loaded %q", lines)
	}
	if got[1].Lab != "uts" || got[1].Step != 2 || !strings.HasPrefix(got[0].Session, fmt.Sprint(os.Getpid())+":") {
		t.Errorf("entries %+v", got)
	}
	// Open(1) gives the newest only; ReadHistory gives all.
	if _, one, _ := Open(1); len(one) != 1 || one[0].Line != "after the cut" {
		t.Errorf("Open(1) = %+v", one)
	}
	if all, err := ReadHistory(want); err != nil || len(all) != 4 {
		t.Errorf("ReadHistory = %d entries, %v", len(all), err)
	}
}

func TestTrim(t *testing.T) {
	stateHome(t)
	l, _, err := Open(10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range TrimAt + 1 {
		if err := l.Append(Entry{Source: Typed, Line: fmt.Sprint("line ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, got, err := Open(5)
	if err != nil || len(got) != 5 || got[4].Line != fmt.Sprint("line ", TrimAt) {
		t.Fatalf("after trim: %+v, %v", got, err)
	}
	data, _ := os.ReadFile(l.Path)
	if n := strings.Count(string(data), "\n"); n != Keep {
		t.Errorf("trimmed file has %d lines, want %d", n, Keep)
	}
	if st, _ := os.Stat(l.Path); st.Mode().Perm() != 0o600 {
		t.Errorf("trimmed file mode %v", st.Mode())
	}
}

// Two hoods appending at once (here: two Logs, many goroutines) while a
// third trims the file lose no entry and interleave none: an append that
// waited for the trim's lock writes to the new file, not the one renamed
// over.
func TestConcurrentAppend(t *testing.T) {
	stateHome(t)
	a, _, _ := Open(0)
	b, _, _ := Open(0)
	for i := range TrimAt + 1 {
		if err := a.Append(Entry{Source: Typed, Line: fmt.Sprint("old ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	const each = 50
	for n, l := range []*Log{a, b} {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := l.Append(Entry{Source: Typed, Line: fmt.Sprint("new ", n, " ", g, " ", i, " ", strings.Repeat("x", 500))}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Add(1)
	go func() { defer wg.Done(); _, _, _ = Open(0) }()
	wg.Wait()
	data, _ := os.ReadFile(a.Path)
	entries, lines := parse(data)
	if len(entries) != lines {
		t.Errorf("%d lines but %d entries: some interleaved", lines, len(entries))
	}
	if lines > Keep+2*4*each {
		t.Errorf("%d lines: the file was not trimmed", lines)
	}
	seen := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Line, "new ") {
			seen++
		}
	}
	if seen != 2*4*each {
		t.Errorf("%d of the %d entries appended during the trim are in the file", seen, 2*4*each)
	}
}

// A state directory that cannot be written is an error, not a crash.
func TestUnwritable(t *testing.T) {
	home := stateHome(t)
	if err := os.WriteFile(filepath.Join(home, "hood"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(10); err == nil {
		t.Error("Open with a file where the state directory should be: no error")
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "")
	if _, _, err := Open(10); err == nil {
		t.Error("Open without HOME: no error")
	}
}

// Under sudo the history is the invoking user's, in their home, and
// theirs: created, appended to and trimmed, it stays owned by them.
func TestSudoOwner(t *testing.T) {
	testenv.Root(t)
	home := t.TempDir()
	passwd := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(passwd, []byte("learner:x:1000:1001::"+home+":/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := statedir.PasswdFile
	statedir.PasswdFile = passwd
	t.Cleanup(func() { statedir.PasswdFile = old })
	t.Setenv("SUDO_USER", "learner")
	t.Setenv("SUDO_UID", "1000")
	t.Setenv("SUDO_GID", "1001")
	l, _, err := Open(10)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".local", "state", "hood", "history"); l.Path != want {
		t.Fatalf("under sudo the history is %s, want %s", l.Path, want)
	}
	check := func(when string) {
		t.Helper()
		var st syscall.Stat_t
		if err := syscall.Stat(l.Path, &st); err != nil || st.Uid != 1000 || st.Gid != 1001 || st.Mode&0o777 != 0o600 {
			t.Errorf("%s: uid %d gid %d mode %o, %v; want 1000 1001 600", when, st.Uid, st.Gid, st.Mode&0o777, err)
		}
	}
	check("created")
	for range TrimAt + 1 {
		if err := l.Append(Entry{Source: Typed, Line: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	check("appended to")
	if _, _, err := Open(10); err != nil {
		t.Fatal(err)
	}
	check("trimmed")
}
