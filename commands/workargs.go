package commands

import (
	"slices"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/result"
)

// opts splits a workload's words into positional arguments and options;
// valued lists the options that take a value (--step 10M or --step=10M),
// the others are switches. Words that do not start with -- are arguments,
// so that "-1" is a bad THREADS rather than an unknown option.
func opts(usage string, args []string, valued, switches []string) (pos []string, vals map[string]string, err error) {
	vals = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch {
		case slices.Contains(valued, name):
			if !hasVal {
				if i+1 == len(args) {
					return nil, nil, result.Usagef(usage, "%s needs a value", name)
				}
				i++
				val = args[i]
			}
			if _, dup := vals[name]; dup {
				return nil, nil, result.Usagef(usage, "%s given twice", name)
			}
			vals[name] = val
		case slices.Contains(switches, name) && !hasVal:
			vals[name] = ""
		default:
			return nil, nil, result.Usagef(usage, "unknown option %q", a)
		}
	}
	return pos, vals, nil
}

// whole reads a whole number from lo to hi for what (a usage error otherwise).
func whole(usage, what, s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, result.Usagef(usage, "%s %q: give a whole number from %d to %d", what, s, lo, hi)
	}
	return n, nil
}

func size(usage, what, s string) (int64, error) {
	n, err := box.ParseSize(s)
	if err != nil {
		return 0, result.Usagef(usage, "%s: %v", what, err)
	}
	return n, nil
}

func parseBurn(args []string) (threads, seconds int, err error) {
	pos, vals, err := opts(burnUsage, args, []string{"--seconds"}, nil)
	if err != nil {
		return 0, 0, err
	}
	threads, seconds = 1, 5
	switch {
	case len(pos) > 1:
		return 0, 0, result.Usagef(burnUsage, "one THREADS at most, such as `burn 2`")
	case len(pos) == 1:
		if threads, err = whole(burnUsage, "THREADS", pos[0], 1, box.MaxThreads); err != nil {
			return 0, 0, err
		}
	}
	if v, ok := vals["--seconds"]; ok {
		if seconds, err = whole(burnUsage, "--seconds", v, 1, box.MaxSeconds); err != nil {
			return 0, 0, err
		}
	}
	return threads, seconds, nil
}

func parseAlloc(args []string) (total, step int64, hold int, err error) {
	pos, vals, err := opts(allocUsage, args, []string{"--step", "--hold"}, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(pos) != 1 {
		return 0, 0, 0, result.Usagef(allocUsage, "give one SIZE, such as `alloc 100M`")
	}
	if total, err = size(allocUsage, "SIZE", pos[0]); err != nil {
		return 0, 0, 0, err
	}
	step, hold = box.DefaultStep, 1
	if v, ok := vals["--step"]; ok {
		if step, err = size(allocUsage, "--step", v); err != nil {
			return 0, 0, 0, err
		}
		if step < box.MinStep {
			return 0, 0, 0, result.Usagef(allocUsage, "--step %s: at least 4K, one page", v)
		}
	}
	if v, ok := vals["--hold"]; ok {
		if hold, err = whole(allocUsage, "--hold", v, 0, box.MaxSeconds); err != nil {
			return 0, 0, 0, err
		}
	}
	return total, step, hold, nil
}

func parseForkbomb(args []string) (int, error) {
	pos, vals, err := opts(forkbombUsage, args, []string{"--max"}, nil)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 {
		return 0, result.Usagef(forkbombUsage, "forkbomb takes no arguments; the limit is --max N")
	}
	if v, ok := vals["--max"]; ok {
		return whole(forkbombUsage, "--max", v, 1, box.MaxForks)
	}
	return box.DefaultForks, nil
}

// parseWrite reads write's words; device says whether a path is a block
// device hood made (`loop new`), the one thing under /dev write may write.
func parseWrite(args []string, device func(string) bool) (path string, n int64, direct bool, err error) {
	pos, vals, err := opts(writeUsage, args, nil, []string{"--direct"})
	if err != nil {
		return "", 0, false, err
	}
	if len(pos) != 2 {
		return "", 0, false, result.Usagef(writeUsage, "give FILE and SIZE, such as `write /tmp/hood.data 100M`")
	}
	_, direct = vals["--direct"]
	if pos[0] == "" || !device(pos[0]) {
		if err := box.CheckWritePath(pos[0]); err != nil {
			return "", 0, false, result.Usagef(writeUsage, "%v; name a regular file, such as /tmp/hood.data, or a loop device made by `loop new`", err)
		}
	}
	if n, err = size(writeUsage, "SIZE", pos[1]); err != nil {
		return "", 0, false, err
	}
	if direct && n%box.DirectAlign != 0 {
		return "", 0, false, result.Usagef(writeUsage, "with --direct SIZE is whole 4K blocks (O_DIRECT); %s is not", pos[1])
	}
	return pos[0], n, direct, nil
}
