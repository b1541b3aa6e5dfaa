package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hood/internal/box"
	"hood/internal/testenv"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files (cmp targets) inside testdata/script/*.txtar")

// TestMain makes the test binary hood itself when it is started under the
// name hood: testscript puts a copy named hood on the scripts' PATH, and the
// pty and cleanup tests start the binary with argv[0] "hood". The test
// binary is package main, so it links internal/box and sets hood_prefork
// like the real one: its C constructor forks box1 before Go starts, and
// turns the binary into a box when re-executed with HOOD_BOX_FD set (box
// new), so the boxes such a hood starts work exactly as with the real binary.
// The constructor also forks a box in processes that never use it (the test
// process, clocks): it dies with them.
//
// clocks is a tiny program for the time namespace script: run inside a box
// it prints the clocks a process in the box's time namespace reads.
func TestMain(m *testing.M) {
	// Only the hood command adopts the box forked for box1 before Go
	// started; the test runner and the other helper commands release it.
	// (testscript runs a command as this binary under the command's name.)
	if filepath.Base(os.Args[0]) != "hood" {
		box.ReleaseUnused()
	}
	testscript.Main(m, map[string]func(){
		"hood":   func() { os.Exit(Main(os.Args[1:])) },
		"clocks": clocks,
		// hood under a child subreaper that reaps its orphans (cleanup_test.go).
		"hood-reaper": reaperMain,
	})
}

// clocks prints CLOCK_MONOTONIC and CLOCK_BOOTTIME in whole seconds.
func clocks() {
	for _, c := range []struct {
		name string
		id   int32
	}{{"monotonic", unix.CLOCK_MONOTONIC}, {"boottime", unix.CLOCK_BOOTTIME}} {
		var ts unix.Timespec
		if err := unix.ClockGettime(c.id, &ts); err != nil {
			fmt.Fprintln(os.Stderr, "clocks:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %d\n", c.name, ts.Sec)
	}
	os.Exit(0)
}

func TestScripts(t *testing.T) {
	testenv.Binary(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Condition:           scriptCondition,
		// hood's state (its journal, capability copies, root filesystems)
		// goes in the script's own directory, not under testscript's HOME
		// (/no-home), which root could create on the host.
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"atleast": cmdAtLeast,
			"json":    cmdJSON,
		},
	})
}

// scriptCondition adds [root] (euid 0: hood can create every namespace) and
// [timens] (the kernel has time namespaces, Linux 5.6+) and [devicesv1] (a
// v1 devices hierarchy is mounted where hood looks, as on hybrid machines)
// and [cgroup2] (a cgroup v2 tree is mounted, alone or beside v1).
func scriptCondition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	case "timens":
		_, err := os.Stat("/proc/self/ns/time")
		return err == nil, nil
	case "devicesv1":
		_, err := os.Stat("/sys/fs/cgroup/devices/devices.list")
		return err == nil, nil
	case "cgroup2": // a cgroup v2 tree, where device programs attach
		for _, f := range []string{"/sys/fs/cgroup/cgroup.controllers", "/sys/fs/cgroup/unified/cgroup.controllers"} {
			if _, err := os.Stat(f); err == nil {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// cmdAtLeast: atleast REGEX N. The first submatch of REGEX in the last
// command's stdout, a number, must be >= N (with !, < N).
func cmdAtLeast(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: atleast 'regex with one (group)' N")
	}
	re, err := regexp.Compile(`(?m)` + args[0])
	ts.Check(err)
	limit, err := strconv.ParseFloat(args[1], 64)
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("no match with a group for %#q in stdout", args[0])
	}
	got, err := strconv.ParseFloat(m[1], 64)
	ts.Check(err)
	if (got >= limit) == neg {
		if neg {
			ts.Fatalf("%v >= %v, want less", got, limit)
		}
		ts.Fatalf("%v < %v, want at least that", got, limit)
	}
}

// cmdJSON: json [PATH[=VALUE]]... The last command's stdout must end with a
// JSON object that starts on a line of its own ("{") and runs to the end of
// the output; narration before it is allowed. Each PATH (dot-separated
// keys and array indexes, such as boxes.1.pid) must exist and be non-zero
// (a non-empty string, a number other than 0, true, a non-empty list or
// object), or equal VALUE when one is given.
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! json")
	}
	out := ts.ReadFile("stdout")
	start := strings.Index("\n"+out, "\n{\n")
	if start < 0 {
		ts.Fatalf("no JSON object (a line holding only {) in stdout")
	}
	dec := json.NewDecoder(strings.NewReader(out[start:]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("stdout is not valid JSON from its first {: %v", err)
	}
	if rest := out[start+int(dec.InputOffset()):]; strings.TrimSpace(rest) != "" {
		ts.Fatalf("text after the JSON object: %q", rest)
	}
	for _, a := range args {
		path, want, hasWant := strings.Cut(a, "=")
		got, err := jsonPath(v, path)
		if err != nil {
			ts.Fatalf("%s: %v", path, err)
		}
		if hasWant {
			if s := jsonString(got); s != want {
				ts.Fatalf("%s = %s, want %s", path, s, want)
			}
			continue
		}
		if jsonZero(got) {
			ts.Fatalf("%s is empty or zero: %s", path, jsonString(got))
		}
	}
}

func jsonPath(v any, path string) (any, error) {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[k]
			if !ok {
				return nil, fmt.Errorf("no key %q", k)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("no index %q in a list of %d", k, len(x))
			}
			v = x[i]
		default:
			return nil, fmt.Errorf("cannot look up %q in %s", k, jsonString(v))
		}
	}
	return v, nil
}

func jsonZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || f == 0
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func jsonString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}
