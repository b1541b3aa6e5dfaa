package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"hood/internal/journal"
)

// Runc drives the runc program with its state under Root.
type Runc struct {
	Bin  string // runc's path
	Root string // --root: where runc keeps its containers' state
}

// Ran is one run of the runc program: its command line, how it ended and
// what it wrote.
type Ran struct {
	Argv   []string
	Status int // exit status; -1 when it did not start or was killed
	Output string
	Err    error // it could not start, or it ended with a status other than 0
}

// Line is the command line as a shell would take it.
func (r Ran) Line() string {
	q := make([]string, len(r.Argv))
	for i, a := range r.Argv {
		if a == "" || strings.ContainsAny(a, " '\"$\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// ErrNoRunc says runc is not installed, and how to get it.
var ErrNoRunc = errors.New("runc is not installed (on Debian and Ubuntu: apt-get install runc)")

// Find is runc's path, or ErrNoRunc.
func Find() (string, error) {
	p, err := exec.LookPath("runc")
	if err != nil {
		for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", ErrNoRunc
	}
	return p, nil
}

// run runs runc --root Root ARGS. Its stdin is /dev/null and its output a
// file, never a pipe: the container's process inherits runc's stdio, and
// a pipe held open by it would keep a reader waiting for good.
func (rc Runc) run(args ...string) Ran {
	argv := append([]string{rc.Bin, "--root", rc.Root}, args...)
	r := Ran{Argv: argv, Status: -1}
	out, err := journal.CreateTemp("", "hood-runc-*.out")
	if err != nil {
		r.Err = err
		return r
	}
	defer journal.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	data, _ := os.ReadFile(out.Name())
	r.Output = strings.TrimSpace(string(data))
	if cmd.ProcessState != nil {
		r.Status = cmd.ProcessState.ExitCode()
	}
	if err != nil {
		r.Err = fmt.Errorf("%s: %v: %s", r.Line(), err, r.Output)
	}
	return r
}

// Create is runc create --bundle DIR ID: the container's namespaces,
// cgroup and mounts are made and its init waits for start.
func (rc Runc) Create(id, bundle string) Ran {
	if err := os.MkdirAll(rc.Root, 0o700); err != nil {
		return Ran{Argv: []string{rc.Bin, "create"}, Status: -1, Err: err}
	}
	// Journaled first: a runc killed with hood may leave the container.
	journal.Will(journal.Runc, rc.Root+" "+id)
	return rc.run("create", "--bundle", bundle, id)
}

// Start is runc start ID: the init execs the container's process.
func (rc Runc) Start(id string) Ran { return rc.run("start", id) }

// Kill is runc kill ID KILL.
func (rc Runc) Kill(id string) Ran { return rc.run("kill", id, "KILL") }

// Delete is runc delete --force ID: the container is killed if it still
// runs, its cgroups removed, its state forgotten.
func (rc Runc) Delete(id string) Ran {
	r := rc.run("delete", "--force", id)
	if r.Err == nil {
		journal.Done(journal.Runc, rc.Root+" "+id)
	}
	return r
}

// State is what runc state ID answers.
type State struct {
	ID     string `json:"id"`
	PID    int    `json:"pid"`
	Status string `json:"status"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
}

// State runs runc state ID and decodes its answer.
func (rc Runc) State(id string) (State, Ran) {
	r := rc.run("state", id)
	var st State
	if r.Err == nil {
		if err := json.Unmarshal([]byte(r.Output), &st); err != nil {
			r.Err = fmt.Errorf("%s: its answer is not the JSON expected: %v", r.Line(), err)
		}
	}
	return st, r
}

// List is the IDs runc knows under Root (runc list -q).
func (rc Runc) List() ([]string, Ran) {
	r := rc.run("list", "-q")
	if r.Err != nil {
		return nil, r
	}
	return strings.Fields(r.Output), r
}

// RootFor is the --root directory of the hood with owner mark tok
// ("PID:STARTTIME") under state directory dir.
func RootFor(dir, tok string) string {
	return filepath.Join(dir, "runc", strings.ReplaceAll(tok, ":", "-"))
}

// CleanupStale deletes the containers of hoods that are gone (gone tells
// from a mark "PID:STARTTIME") under dir/runc, and their --root
// directories; it returns what it removed, and what it could not.
func CleanupStale(dir string, gone func(tok string) bool) (removed []string, errs error) {
	base := filepath.Join(dir, "runc")
	ents, err := os.ReadDir(base)
	if err != nil {
		return nil, nil
	}
	bin, binErr := Find()
	for _, e := range ents {
		tok := strings.Replace(e.Name(), "-", ":", 1)
		if !e.IsDir() || !gone(tok) {
			continue
		}
		root := filepath.Join(base, e.Name())
		if binErr == nil {
			rc := Runc{Bin: bin, Root: root}
			ids, _ := rc.List()
			for _, id := range ids {
				// A process killed a moment ago may still hold its
				// cgroup: runc delete then fails, and a retry works.
				r := rc.Delete(id)
				for try := 0; r.Err != nil && try < 5; try++ {
					time.Sleep(200 * time.Millisecond)
					r = rc.Delete(id)
				}
				if r.Err == nil {
					removed = append(removed, "runc container "+id+" (and its cgroups)")
				} else {
					errs = errors.Join(errs, r.Err)
				}
			}
			if ids, _ := rc.List(); len(ids) > 0 {
				continue // keep the state: a later cleanup tries again
			}
		}
		if os.RemoveAll(root) == nil {
			removed = append(removed, root)
		}
	}
	return removed, errs
}

// Using lists the containers, under every hood's --root in dir/runc,
// whose root filesystem is rootfs: another hood's too, since rootfs rm
// in one hood must not pull a tree from under a container of another.
func Using(dir, rootfs string) []string {
	roots, _ := filepath.Glob(filepath.Join(dir, "runc", "*"))
	bin, err := Find()
	if err != nil || len(roots) == 0 {
		return nil
	}
	var out []string
	for _, root := range roots {
		r := Runc{Bin: bin, Root: root}.run("list", "--format", "json")
		var sts []State
		if r.Err != nil || json.Unmarshal([]byte(r.Output), &sts) != nil {
			continue
		}
		for _, st := range sts {
			if st.Rootfs == rootfs && st.Status != "stopped" {
				out = append(out, st.ID)
			}
		}
	}
	return out
}
