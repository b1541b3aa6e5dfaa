// Package procfs reads the per-process files of the proc filesystem, below a
// root path that is "/proc" on a live system and a fixture tree in tests:
// /proc/PID/stat, status, cgroup, comm, mountinfo and the ns links.
//
// Each file has an io.Reader parser (ParseStat, ParseStatus, ParseCgroup,
// ParseNSLink; mountinfo through github.com/moby/sys/mountinfo), so a file
// is parsed in one place and every caller agrees on what it says (which
// process states mean dead, say). Errors name the file and what in it was
// malformed; no input makes a parser panic (see the fuzz targets).
//
// It only reads. The proc root is a path rather than a fixed "/proc" so
// that hood can look at the proc another PID namespace sees
// (/proc/PID/root/proc, see FS.Via) and tests can feed it broken trees.
//
// Man pages: proc(5), proc_pid_stat(5), proc_pid_status(5), cgroups(7),
// namespaces(7), proc_pid_mountinfo(5).
package procfs
