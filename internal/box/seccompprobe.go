package box

import (
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// Strict is what the strict-mode probe did: prctl(PR_SET_SECCOMP,
// SECCOMP_MODE_STRICT) as it made it, and how it ended (the box's wait4).
type Strict struct {
	HostPID  int
	Fork     result.Syscall
	Prctl    result.Syscall // made by the probe
	Wait     result.Syscall // made by the box
	Status   unix.WaitStatus
	Survived bool // it made the forbidden call and lived: strict mode was not on
}

// RunStrict starts the probe "strict" in the box: it enters seccomp mode 1
// and then calls openat(2), which mode 1 does not allow.
func (b *Box) RunStrict() (Strict, error) {
	rd, wr, err := os.Pipe()
	if err != nil {
		return Strict{}, err
	}
	defer rd.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		wr.Close()
		return Strict{}, err
	}
	defer null.Close()
	sp, err := b.spawn([]string{"hood-probe", "strict"}, []string{"HOOD_PROBE=1"}, [3]*os.File{null, wr, wr}, int64(spawnSelf))
	wr.Close()
	if err != nil {
		return Strict{}, err
	}
	s := Strict{HostPID: sp.PID, Fork: sp.Fork}
	if sp.Fork.Failed() {
		return s, nil
	}
	out, _ := io.ReadAll(io.LimitReader(rd, 4096))
	st, waited, err := b.Wait(sp)
	if err != nil {
		return s, err
	}
	s.Status, s.Wait = st, waited
	v := map[string]string{}
	for _, f := range strings.Fields(string(out)) {
		if k, val, ok := strings.Cut(f, "="); ok {
			v[k] = val
		}
	}
	ret, _ := strconv.Atoi(v["ret"])
	errno, _ := strconv.Atoi(v["errno"])
	var cerr error
	if errno != 0 {
		cerr = unix.Errno(errno)
	}
	s.Prctl = call.New("probe", sp.PID, "prctl", int64(ret), cerr,
		call.F(unix.PR_SET_SECCOMP, "PR_SET_SECCOMP"), call.F(unix.SECCOMP_MODE_STRICT, "SECCOMP_MODE_STRICT"))
	s.Survived = v["survived"] == "1"
	if v["ret"] == "" {
		s.Prctl = result.Syscall{}
	}
	return s, nil
}
