package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRecordArgs(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		file      string
		overwrite bool
		rest      []string
		found     bool
		err       string
	}{
		{args: []string{"-c", "unshare uts"}, rest: []string{"-c", "unshare uts"}},
		{args: []string{"--record", "a.cast"}, file: "a.cast", rest: []string{}, found: true},
		{args: []string{"--no-color", "--record=a.cast", "script.hood"}, file: "a.cast", rest: []string{"--no-color", "script.hood"}, found: true},
		{args: []string{"demo", "talk.demo", "--auto", "--record", "t.cast", "--overwrite"}, file: "t.cast", overwrite: true, rest: []string{"demo", "talk.demo", "--auto"}, found: true},
		{args: []string{"lab", "uts", "--record", "u.cast"}, file: "u.cast", rest: []string{"lab", "uts"}, found: true},
		// The value of -c (or of lab --file) is never --record.
		{args: []string{"-c", "--record", "x"}, rest: []string{"-c", "--record", "x"}},
		{args: []string{"lab", "--file", "--record"}, rest: []string{"lab", "--file", "--record"}},
		{args: []string{"--overwrite", "-c", "x"}, rest: []string{"-c", "x", "--overwrite"}},
		{args: []string{"--record"}, found: true, err: "needs the name"},
		{args: []string{"--record", "-c", "x"}, found: true, err: "needs the name"},
		{args: []string{"--record="}, found: true, err: "needs the name"},
		{args: []string{"--record", "a", "--record=b"}, found: true, err: "twice"},
	} {
		file, overwrite, rest, found, err := recordArgs(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !found {
				t.Errorf("recordArgs(%q): %v, want an error about %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || file != tc.file || overwrite != tc.overwrite || found != tc.found || !reflect.DeepEqual(rest, tc.rest) {
			t.Errorf("recordArgs(%q) = %q, %v, %q, %v, %v; want %q, %v, %q, %v", tc.args, file, overwrite, rest, found, err, tc.file, tc.overwrite, tc.rest, tc.found)
		}
	}
}

// A recording is always a new file, 0600: an existing one is kept unless
// --overwrite, and a symbolic link is never written through.
func TestCreateCast(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.cast")
	f, err := createCast(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, mode %v; want 0600", path, err, st.Mode())
	}
	if err := os.WriteFile(path, []byte("old talk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := createCast(path, false); err == nil || !strings.Contains(err.Error(), "--overwrite") {
		t.Errorf("an existing file: %v, want a refusal naming --overwrite", err)
	}
	f, err = createCast(path, true)
	if err != nil {
		t.Fatalf("--overwrite: %v", err)
	}
	f.Close()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("--overwrite left %q in the file", b)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.cast")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, overwrite := range []bool{false, true} {
		if f, err := createCast(link, overwrite); err == nil {
			f.Close()
			t.Errorf("createCast(link, overwrite %v) wrote through a symbolic link", overwrite)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was changed: %q", b)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("the link was removed: %v", err)
	}
}

// When a program hood started lingers with the pty open, record closes its
// end to stop waiting: the close must end the read blocked on it.
func TestMasterCloseEndsRead(t *testing.T) {
	ptmx, tty, err := openMaster()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close() // held open, as by a lingering program
	done := make(chan error, 1)
	go func() {
		_, err := ptmx.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ptmx.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the read returned no error after the close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("closing the pty's master did not end the read blocked on it")
	}
}
