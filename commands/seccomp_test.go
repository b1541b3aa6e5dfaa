package commands

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"hood/internal/kernel/seccomp"
)

func seccompRun(t *testing.T, s *Session, line string) (string, error) {
	t.Helper()
	cmds, err := Split(line)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("split %q: %v", line, err)
	}
	r, err := s.Exec(cmds[0])
	var out strings.Builder
	if r != nil {
		for _, c := range r.Syscalls {
			out.WriteString(c.String() + "\n")
		}
		for _, l := range r.Lines {
			out.WriteString(l.Key + " " + l.Value + "\n")
		}
	}
	return out.String(), err
}

// seccomp deny puts the box in filter mode with no_new_privs, a program
// the box runs answers mkdir(2) EACCES (on arm64 mkdirat(2), what mkdir(1)
// calls there), and seccomp show reads it back.
func TestSeccompDeny(t *testing.T) {
	s := newSession(t)
	exec(t, s, "box new sd")
	before, err := s.Proc().Status(s.Current.PID)
	if err != nil {
		t.Fatal(err)
	}
	mkdir := seccomp.Native.Called("mkdir")
	nr, err := seccomp.Number(mkdir)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, s, "seccomp deny "+mkdir+" --errno EACCES")
	st, err := s.Proc().Status(s.Current.PID)
	if err != nil || st.Seccomp != 2 || st.SeccompFilters != before.SeccompFilters+1 || !st.NoNewPrivs {
		t.Fatalf("status after deny: %+v, %v", st, err)
	}
	dir := t.TempDir() + "/x"
	out, err := seccompRun(t, s, "run sh -c 'mkdir "+dir+" 2>&1 | grep -q \"Permission denied\"'")
	if err != nil {
		t.Fatalf("mkdir under the filter did not fail with EACCES: %v\n%s", err, out)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("the directory was made")
	}
	out, err = seccompRun(t, s, "seccomp show sd --bpf")
	if err != nil || !strings.Contains(out, fmt.Sprintf("%s (%d) -> fail with EACCES", mkdir, nr)) || !strings.Contains(out, fmt.Sprintf("jneq #%d,1", nr)) {
		t.Fatalf("show: %v\n%s", err, out)
	}
	// box1 was not touched.
	if st, _ := s.Proc().Status(s.find("box1").PID); st.SeccompFilters != before.SeccompFilters {
		t.Fatalf("box1 has %d filters", st.SeccompFilters)
	}
}

func TestSeccompStrict(t *testing.T) {
	s := newSession(t)
	own, err := s.Proc().Status(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	out, err := seccompRun(t, s, "seccomp strict")
	if own.Seccomp == 2 {
		if err == nil || !strings.Contains(err.Error(), "EINVAL") {
			t.Fatalf("in filter mode strict should answer EINVAL: %v\n%s", err, out)
		}
		return
	}
	if err != nil || !strings.Contains(out, "killed by SIGKILL") {
		t.Fatalf("%v\n%s", err, out)
	}
}

// Bad input: a clear error, nothing installed.
func TestSeccompBadInput(t *testing.T) {
	s := newSession(t)
	before, _ := s.Proc().Status(s.Current.PID)
	for line, want := range map[string]string{
		"seccomp deny mkdri":               "did you mean " + seccomp.Native.Called("mkdir") + "?",
		"seccomp deny mkdir --errno EPRM":  "did you mean EPERM?",
		"seccomp deny mkdir --kill --trap": "choose one",
		"seccomp deny recvmsg":             "hood could no longer drive it",
		"seccomp deny":                     "name the syscalls",
		"seccomp show nosuchbox":           "unknown target",
	} {
		if _, err := seccompRun(t, s, line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", line, err, want)
		}
	}
	if st, _ := s.Proc().Status(s.Current.PID); st.SeccompFilters != before.SeccompFilters || st.NoNewPrivs != before.NoNewPrivs {
		t.Errorf("bad input changed box1: %+v", st)
	}
}

// Docker's default profile, summarised from moby's data: mount needs
// CAP_SYS_ADMIN, read is always allowed, the default is EPERM.
func TestSeccompDockerDefault(t *testing.T) {
	r, err := dockerDefault()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, l := range r.Lines {
		all.WriteString(l.Key + " " + l.Value + "\n")
	}
	for _, want := range []string{"SCMP_ACT_ERRNO EPERM", "with CAP_SYS_ADMIN", "mount only with CAP_SYS_ADMIN", "clone3: SCMP_ACT_ERRNO ENOSYS"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, all.String())
		}
	}
	for _, l := range r.Lines {
		if l.Key == "blocked" && (strings.Contains(l.Value, " read,") || !strings.Contains(l.Value, " reboot,")) {
			t.Errorf("blocked: %s", l.Value)
		}
	}
}
