package commands

import (
	"errors"
	"fmt"
	"path/filepath"

	"hood/internal/box"
	"hood/internal/kernel/loop"
	"hood/internal/result"
)

// loopDevice is the loop device this session made at path, or nil.
func (s *Session) loopDevice(path string) *loop.Device {
	for _, d := range s.Loops() {
		if d.Path == filepath.Clean(path) {
			return d
		}
	}
	return nil
}

func write(s *Session, args []string) (*result.Result, error) {
	path, n, direct, err := parseWrite(args, func(p string) bool { return s.loopDevice(p) != nil })
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	var w *box.Write
	if d := s.loopDevice(path); d != nil {
		w, err = b.WriteDevice(path, d.Major, d.Minor, n, direct, s.stdio())
	} else {
		w, err = b.Write(path, n, direct, s.stdio())
	}
	if errors.Is(err, box.ErrSystemPath) {
		return nil, result.Usagef(writeUsage, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if err := s.narrateWorkload(r, b, &w.Workload, calls(w.Failed)...); err != nil {
		return r, err
	}
	if w.Refused != "" {
		return r, result.Usagef(writeUsage, "the workload refused: %s; write makes or overwrites regular files only", w.Refused)
	}
	mode := "through the page cache, fsync included"
	if direct {
		mode = "with O_DIRECT"
	}
	rate := fmt.Sprintf("%s (%d bytes) in %.2f s: %.1f MB/s (%.1f MiB/s), %s", box.FormatSize(w.Bytes), w.Bytes, w.Elapsed, w.MBps(), w.MiBps(), mode)
	if w.Failed != nil {
		if w.Bytes > 0 {
			r.Say("wrote", "%s; then write(2) failed", rate)
		}
		return r, writeErr(*w.Failed, direct)
	}
	if how := stopped(&w.Workload); how != "" {
		r.Say("stopped", "%s after writing %s by its last report", how, box.FormatSize(w.Bytes))
		return r, nil
	}
	r.Say("wrote", "%s", rate)
	s.Measure("write.mib_per_s", w.MiBps())
	s.Measure("write.mb_per_s", w.MBps())
	if direct {
		r.Shell = fmt.Sprintf("dd if=/dev/zero of=%s bs=1M count=%d oflag=direct", path, (n+box.WriteBlock-1)/box.WriteBlock)
		r.Meaning = "O_DIRECT skipped the page cache: every 1 MiB write went to the device before write(2) returned, so the rate is the device's (and io.max's, when the box's cgroup has one)."
	} else {
		r.Shell = fmt.Sprintf("dd if=/dev/zero of=%s bs=1M count=%d conv=fsync", path, (n+box.WriteBlock-1)/box.WriteBlock)
		r.Meaning = "The writes filled the page cache and fsync(2) waited until the kernel had written it all to the device; the dirty pages were charged to the box's cgroup, and io.max throttles their writeback."
	}
	if s.loopDevice(path) == nil {
		r.Meaning += fmt.Sprintf(" %s stays; hood removes nothing.", path)
	}
	return r, nil
}

// writeErr is the error for the call that stopped a write workload. EINVAL
// there has one cause hood can name only when it asked for O_DIRECT.
func writeErr(c result.Syscall, direct bool) error {
	if direct && c.ErrName() == "EINVAL" {
		return kernelErr(c, "O_DIRECT")
	}
	return kernelErr(c, "file")
}
