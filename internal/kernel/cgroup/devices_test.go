package cgroup

import (
	"os/exec"
	"strings"
	"testing"
)

func TestParseDeviceRule(t *testing.T) {
	good := map[string]string{
		"c 1:3 rw":      "c 1:3 rw",
		"c 1:3 wr":      "c 1:3 rw",
		"b *:* m":       "b *:* m",
		"c 136:* rwm":   "c 136:* rwm",
		"a":             "a *:* rwm",
		"a *:* rwm":     "a *:* rwm",
		"  c  5:1  r  ": "c 5:1 r",
	}
	for in, want := range good {
		r, err := ParseDeviceRule(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if r.String() != want {
			t.Errorf("%q parsed as %q, want %q", in, r.String(), want)
		}
	}
	bad := map[string]string{
		"c 1:x rw":          `minor "x"`,
		"z 1:3 r":           `type "z"`,
		"":                  "empty",
		"c 1:3":             "three fields",
		"c 13 rw":           "MAJOR:MINOR",
		"c 1:3 rx":          `access "rx"`,
		"c 1:3 rr":          `access "rr"`,
		"c -1:3 r":          `major "-1"`,
		"c 1:3 r extra":     "three fields",
		"a 1:3 r":           "type a",
		"c 99999999999:1 r": "major",
	}
	for in, want := range bad {
		_, err := ParseDeviceRule(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "TYPE MAJOR:MINOR ACCESS") {
			t.Errorf("%q: error %v, want one naming %s and the form", in, err, want)
		}
	}
}

func TestDeviceRuleWords(t *testing.T) {
	r, _ := ParseDeviceRule("c 1:3 rw")
	if got := r.Words(); got != "character device 1:3 (read, write)" {
		t.Errorf("words %q", got)
	}
	if rules, err := ParseDeviceList("a *:* rwm\n"); err != nil || !AllowsAll(rules) {
		t.Errorf("a *:* rwm: %v %v", rules, err)
	}
	rules, err := ParseDeviceList("c 1:3 rwm\nc 1:5 rwm\n")
	if err != nil || len(rules) != 2 || AllowsAll(rules) {
		t.Errorf("two rules: %v %v", rules, err)
	}
}

// devicesGroup makes a group for the test, skipping where there is no v1
// devices hierarchy (pure v2: device access there is a BPF program).
func devicesGroup(t *testing.T) *Group {
	hs := realHierarchies(t)
	g := newGroup(t, hs, boxName(t))
	if _, err := g.DevicesDir(); err != nil {
		t.Skipf("no v1 devices hierarchy here: %v", err)
	}
	return g
}

// catNull starts `cat /dev/null` in g once it is attached, and returns
// what cat wrote on stderr and whether it succeeded.
func catNull(t *testing.T, g *Group) (string, bool) {
	t.Helper()
	cmd := exec.Command("sh", "-c", "read go && exec cat /dev/null")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(cmd) })
	if ops, err := g.Attach(cmd.Process.Pid); err != nil {
		t.Fatalf("Attach: %v\nops %q", err, calls(ops))
	}
	in.Write([]byte("go\n"))
	in.Close()
	err = cmd.Wait()
	return stderr.String(), err == nil
}

func TestDeviceRulesKernel(t *testing.T) {
	g := devicesGroup(t)
	null, _ := ParseDeviceRule("c 1:3 rw")
	if ops, err := g.WriteDeviceRule(false, null); err != nil {
		t.Fatalf("deny: %v\nops %q", err, calls(ops))
	} else if got := calls(ops); len(got) != 3 || !strings.Contains(got[1], `"c 1:3 rw"`) {
		t.Errorf("deny ops %q", got)
	}
	// Default-allow: the kernel lists a *:* rwm alone, the exception unlisted.
	if rules, err := g.DeviceList(); err != nil || !AllowsAll(rules) {
		t.Errorf("after deny in default-allow mode: %v, %v; want a *:* rwm", rules, err)
	}
	if msg, ok := catNull(t, g); ok || !strings.Contains(msg, "Operation not permitted") {
		t.Errorf("cat /dev/null in a group denied c 1:3: ok=%v %q, want EPERM", ok, msg)
	}
	if ops, err := g.WriteDeviceRule(true, null); err != nil {
		t.Fatalf("allow: %v\nops %q", err, calls(ops))
	}
	if msg, ok := catNull(t, g); !ok {
		t.Errorf("cat /dev/null after allow failed: %q", msg)
	}
	// Default-deny: "a" to devices.deny empties the list; allows then show.
	all, _ := ParseDeviceRule("a")
	if ops, err := g.WriteDeviceRule(false, all); err != nil {
		t.Fatalf("deny a: %v\nops %q", err, calls(ops))
	}
	if rules, err := g.DeviceList(); err != nil || len(rules) != 0 {
		t.Errorf("after deny a: %v, %v; want no rule", rules, err)
	}
	if _, err := g.WriteDeviceRule(true, null); err != nil {
		t.Fatal(err)
	}
	if rules, err := g.DeviceList(); err != nil || len(rules) != 1 || rules[0].String() != "c 1:3 rw" {
		t.Errorf("after allow in default-deny mode: %v, %v; want c 1:3 rw", rules, err)
	}
}
