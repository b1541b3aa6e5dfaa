package commands

import (
	"strings"

	"hood/internal/result"
)

func init() {
	for _, c := range []struct{ usage, short string }{
		{"lab list", "every guided lab: what it needs, whether this machine can run it, your progress"},
		{"lab start ID", "start (or resume) a lab: fresh boxes, then the first step to try"},
		{"lab check", "check the current step against the live system now, saying what holds and what not"},
		{"lab hint", "the next hint for the current step"},
		{"lab status", "where you are in the lab"},
		{"lab next", "go on to the next step without doing this one (same as lab skip)"},
		{"lab skip", "skip the current step"},
		{"lab reset", "kill this lab's boxes and start it again from its first step"},
		{"lab solve", "type and run the reference solution of the current step"},
		{"lab quit", "leave the lab (its boxes are killed; progress is kept)"},
	} {
		sub := strings.Fields(c.usage)[1]
		var args []Arg
		if sub == "start" {
			args = []Arg{ArgLab}
		}
		register(&Command{UsageLine: c.usage, Short: c.short, Args: args, Run: func(s *Session, args []string) (*result.Result, error) {
			if s.Lab == nil {
				return nil, &result.UsageError{Msg: "labs are not available in this hood"}
			}
			return s.Lab.Command(s, append([]string{sub}, args...))
		}})
	}
}
