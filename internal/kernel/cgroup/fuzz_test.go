package cgroup

import "testing"

// The decoders of cgroup files and of what a learner types for them:
// an error, never a panic; a rule accepted prints as one that reads back
// the same.

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"64M", "1G", "512", "max", "-1", "9999999999G", "k", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d, accepted", s, n)
		}
	})
}

func FuzzParseDeviceRule(f *testing.F) {
	for _, s := range []string{"a", "a *:* rwm", "c 1:3 rw", "b 8:* m", "c 1:3", "x 1:1 r", "c 1:3 rwmx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseDeviceRule(s)
		if err != nil {
			return
		}
		back, err := ParseDeviceRule(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseDeviceRule(%q) = %+v, printed %q, read back %+v, %v", s, r, r.String(), back, err)
		}
	})
}
