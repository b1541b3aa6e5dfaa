package commands

import (
	"fmt"
	"strconv"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "loop new [SIZE]", Short: "make a loop block device (a file seen as a disk) to try I/O limits on",
		Long: `The backing file lives in a tmpfs of a process hood keeps, so it takes
memory, not disk; SIZE defaults to 64M (at most 1G). The device is attached
with LO_FLAGS_AUTOCLEAR and hood holds it open: it detaches by itself when
hood ends, even after a SIGKILL. Its MAJ:MIN is what io.max takes.`,
		Run: loopNew})
}

// Loops are the loop devices this session made, newest last.
func (s *Session) Loops() []*loop.Device { return s.loops }

func loopNew(s *Session, args []string) (*result.Result, error) {
	const usage = "loop new [SIZE]"
	size := int64(64 << 20)
	if len(args) > 1 {
		return nil, result.Usagef(usage, "one size at most")
	}
	if len(args) == 1 {
		n, err := cgroup.ParseSize(args[0])
		if err != nil || n < 1<<20 || n > 1<<30 {
			return nil, result.Usagef(usage, "%q: give a size from 1M to 1G", args[0])
		}
		size = n
	}
	r := &result.Result{}
	holder, err := s.pinHolder(r)
	if err != nil {
		return r, err
	}
	backing := fmt.Sprintf("%s/%d/root%s/loop%d.img", s.ProcRoot, holder.PID, pinDir, len(s.loops))
	d, calls, err := loop.Attach(backing, size)
	r.Add(calls...)
	if err != nil {
		return r, err
	}
	s.loops = append(s.loops, d)
	r.Say("device", "%s, MAJ:MIN %s, %s of memory behind it", d.Path, d.Dev(), human(strconv.FormatInt(size, 10)))
	r.Shell = fmt.Sprintf("truncate -s %d FILE && losetup --find --show FILE", size)
	r.Meaning = fmt.Sprintf("%s is a block device hood owns: I/O limits for %s (io.max \"%s wbps=...\") can be tried on it without touching a real disk.", d.Path, d.Dev(), d.Dev())
	return r, nil
}

// closeLoops lets go of the loop devices; autoclear detaches them.
func (s *Session) closeLoops() {
	for _, d := range s.loops {
		_ = d.Close()
	}
	s.loops = nil
}
