package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"hood/internal/kernel/call"
)

// The one place that reads and writes cgroup files, as opencontainers/cgroups'
// file.go is: every read and write of the package comes here, so every error
// names the file (and the value written) and keeps the kernel's errno, and
// every write is made through call.WriteOwn, narrated as it was made:
// openat2 with RESOLVE_NO_SYMLINKS, after a check that the path names no
// `..`, so no name and no planted link takes a write outside the cgroup.

// ReadFile reads the file name of the cgroup directory dir, without its
// trailing newline.
func ReadFile(dir, name string) (string, error) {
	path, err := fileIn(dir, name)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", wrap("read "+path, err)
	}
	return strings.TrimRight(string(data), "\n"), nil
}

// WriteFile writes value to the file name of the cgroup directory dir with
// openat2 (RESOLVE_NO_SYMLINKS), write and close, and returns those calls with the kernel's own
// return values. An error names the file and the value and keeps the errno.
func WriteFile(dir, name, value string) ([]Op, error) {
	path, err := fileIn(dir, name)
	if err != nil {
		return nil, err
	}
	calls, err := call.WriteOwn("hood", os.Getpid(), path, value)
	if err != nil && len(calls) == 1 {
		// The open failed; call.WriteOwn's message names only the path.
		err = fmt.Errorf("write %q to %s: %w", value, name, err)
	}
	return calls, err
}

// has reports whether dir has the file name: which v1 files a kernel
// offers (memory.memsw.*, blkio.weight) depends on its build.
func has(dir, name string) bool {
	path, err := fileIn(dir, name)
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// readWords reads a whitespace-separated list file (cgroup.controllers);
// nothing when it cannot be read.
func readWords(dir, name string) []string {
	v, err := ReadFile(dir, name)
	if err != nil {
		return nil
	}
	return strings.Fields(v)
}

// readProcs reads the PIDs in dir's cgroup.procs.
func readProcs(dir string) ([]int, error) {
	v, err := ReadFile(dir, "cgroup.procs")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(v) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: bad PID %q", filepath.Join(dir, "cgroup.procs"), f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// fileIn is dir joined with name, which must be a plain file name: a
// learner's word never reaches outside the group's directory.
func fileIn(dir, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return "", fmt.Errorf("%q is not a cgroup file name", name)
	}
	if err := call.CheckOwn(dir); err != nil {
		return "", fmt.Errorf("cgroup directory: %w", err)
	}
	return dir + "/" + name, nil
}

// wrap is call.Wrap: what was done, and the kernel's errno kept and named
// ("mkdir /sys/fs/cgroup/memory/hood/box1: permission denied (EACCES)").
var wrap = call.Wrap
