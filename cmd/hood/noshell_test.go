package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hood/internal/testenv"
)

// shellCall is what passing a command line through a shell looks like in
// Go or C: exec.Command("sh", ...) or ("bash"), an argument "-c" after a
// shell's path, system(3) and popen(3).
var shellCall = regexp.MustCompile(`(?:Command|CommandContext)\((?:ctx, )?"(?:/bin/|/usr/bin/)?(?:sh|bash|dash)"|"(?:/bin/|/usr/bin/)?(?:sh|bash|dash)",\s*"-c"|\bsystem\(|\bpopen\(`)

// TestNoShellInHood reads every Go and C source of hood outside tests:
// no learner's words may reach a shell. (`sh` opens an interactive shell
// the learner types into; `run` execs the words given, as argv.)
func TestNoShellInHood(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skip("requires hood's source next to the test binary")
	}
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vmtest" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir // vmtest builds the VM's image: it runs no learner's input
		}
		if d.IsDir() || strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".c")) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for i, l := range strings.Split(string(data), "\n") {
			if s := strings.TrimSpace(l); strings.HasPrefix(s, "//") {
				continue
			}
			if shellCall.MatchString(l) {
				t.Errorf("%s:%d passes a command line through a shell: %s", p, i+1, strings.TrimSpace(l))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("read only %d source files: the walk no longer finds hood's source", n)
	}
	for _, bad := range []string{`exec.Command("sh", "-c", line)`, `exec.Command("/bin/bash", x)`, `system(cmd);`, `[]string{"/bin/sh", "-c", l}`} {
		if !shellCall.MatchString(bad) {
			t.Errorf("the pattern misses %s", bad)
		}
	}
}

// TestRunPassesWordsAsArgv: the words of `run` reach the program as they
// are, shell syntax included, and nothing expands them.
func TestRunPassesWordsAsArgv(t *testing.T) {
	testenv.Root(t)
	out, err := hoodCommand(t, "hood", "-c", `run /bin/echo '$(id -u)' ';' '|' '*' '$HOME' '>x'`).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains("\n"+string(out), "\n$(id -u) ; | * $HOME >x\n") ||
		!strings.Contains(string(out), `execve("/bin/echo", ["/bin/echo", "$(id -u)", ";", "|", "*", "$HOME", ">x"]`) {
		t.Errorf("the words did not reach echo as typed:\n%s", out)
	}
	if _, err := os.Stat("x"); err == nil {
		os.Remove("x")
		t.Error("a file x was made: the words went through a shell")
	}
}
