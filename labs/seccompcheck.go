package labs

import (
	"fmt"

	"hood/internal/box"
)

// SeccompCheck: the box's /proc/PID/status says seccomp mode Mode, with
// more filters than hood's own process runs (a filter hood itself runs
// under, strace's, is inherited by every box and is not the step's), and
// NoNewPrivs set when NoNewPrivs is true.
type SeccompCheck struct {
	Box        string `yaml:"box"`
	Mode       int    `yaml:"mode"`
	NoNewPrivs bool   `yaml:"no_new_privs"`
}

func (c *SeccompCheck) validate() error {
	if c.Mode != 1 && c.Mode != 2 {
		return fmt.Errorf("mode is 1 (strict) or 2 (filter), not %d", c.Mode)
	}
	return nil
}

func (c *SeccompCheck) eval(e *env) (bool, string) {
	own, err := e.s.Proc().Status(e.s.HoodPID)
	if err != nil {
		return false, err.Error()
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		st, err := e.s.Proc().Status(b.PID)
		if err != nil {
			return false, err.Error()
		}
		ok := st.Seccomp == c.Mode && st.SeccompFilters > own.SeccompFilters && (!c.NoNewPrivs || st.NoNewPrivs)
		return ok, fmt.Sprintf("%s: Seccomp %d, Seccomp_filters %d (hood's own %d), NoNewPrivs %v", b.Name, st.Seccomp, st.SeccompFilters, own.SeccompFilters, st.NoNewPrivs)
	})
}

// AnswerCheck: a probe started in the box makes the system call Call
// itself and the kernel answers Errno ("" for success). Only mkdir(2) and
// mkdirat(2) are probed: the calls the seccomp lab's filter names (the
// second on arm64, which has no mkdir(2)).
type AnswerCheck struct {
	Box   string `yaml:"box"`
	Call  string `yaml:"call"`
	Errno string `yaml:"errno"`
}

func (c *AnswerCheck) validate() error {
	if c.Call != "mkdir" && c.Call != "mkdirat" {
		return fmt.Errorf("call %q: only mkdir and mkdirat are probed", c.Call)
	}
	return nil
}

// startsProcess: the call is made by a probe process started in the box.
func (c *AnswerCheck) startsProcess() {}

func (c *AnswerCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		got, err := e.errnoProbe(b, "go-"+c.Call)
		if err != nil {
			return false, err.Error()
		}
		if got == "0" {
			return c.Errno == "", fmt.Sprintf("%s(2) in %s: made the directory", c.Call, b.Name)
		}
		return got == c.Errno, fmt.Sprintf("%s(2) in %s: %s", c.Call, b.Name, got)
	})
}
