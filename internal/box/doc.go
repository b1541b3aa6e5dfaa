// Package box runs and drives boxes: one child process per box, on which the
// learner's commands act (unshare, setns, sethostname, mount, fork+exec).
//
// # Why a box is a C loop inside the hood binary
//
// hood must make every namespace change on the same box process, step by
// step, so that "unshare user" and then "unshare mnt" act on one PID whose
// /proc/PID/ns links the learner watches change. The kernel refuses
// unshare(CLONE_NEWUSER) to a multithreaded process (EINVAL) and setns(2)
// into a user namespace (EINVAL) or a mount namespace (EINVAL, the fs_struct
// is shared with the other threads) from one. A Go program is always
// multithreaded: the runtime starts threads before main runs (golang/go#22283,
// opencontainers/runc#1795). A Go process can change a few namespace types on
// a thread it locks and never unlocks, but never user and mnt, and a thread
// is not a process the learner can look at from outside.
//
// So the box is hood's own binary started again (/proc/self/exe, as runc and
// moby/sys/reexec do) with HOOD_BOX_FD set. A C constructor (ctor.go,
// boxloop.c), which runs before the Go runtime, sees the variable and never
// returns into Go: the box stays one thread for its whole life and serves
// requests from hood over a SOCK_SEQPACKET socket (boxproto.h). Each request
// is one plain syscall: unshare, setns (hood passes the namespace file
// descriptor), sethostname, uname, mount, fork+exec, fork of a PID 1, wait.
// The replies carry the return value and errno unchanged, so what hood
// narrates is exactly what the kernel answered.
//
// The first box, box1, is forked by that same constructor in hood itself,
// before the Go runtime starts (cmd/hood sets hood_prefork): forking a
// single-threaded process is safe, and hood then reaches its prompt without
// waiting for its own binary to start a second time. Later boxes are
// started from /proc/self/exe.
//
// Things hood can do from outside it does from outside, where the learner
// can watch it: reading /proc/PID/ns, writing uid_map, gid_map, setgroups and
// timens_offsets of the box.
//
// A call that must come from inside the box's namespaces, with its
// credentials, but from a new process (a mount of proc in a new PID
// namespace, a kill from inside) is a probe: the box starts hood's own
// binary as a child, and the C constructor runs the probe (probe.c) before
// Go starts. A probe whose argv[1] begins with "go-" is written in Go (ping's
// raw socket, goprobe.go): the constructor lets the runtime start and this
// package's init runs it, before main or any TestMain.
//
// # Without root
//
// When hood is not real root (internal/rootless), the first box calls
// unshare(CLONE_NEWUSER) and hood writes its setgroups, uid_map and
// gid_map from outside (or newuidmap and newgidmap do, for a subordinate
// range); hood keeps the namespace open by a descriptor and every later
// box, and the pin holder, joins it with setns(2) as its first request
// (commands/rootless.go). One namespace for the session, not one per box:
// it owns every namespace the boxes make, so one box can setns into
// another's and a veth can join two of them. hood itself stays in the
// host's user namespace (a Go process cannot enter another), so where it
// would setns(2) into a box's network namespace for netlink, the box
// opens the socket and hood takes a copy (pidfd_getfd), and a box that
// unshares a user namespace of its own writes its maps itself (BOX_WRITEFILE):
// the kernel takes a map only from the namespace or its parent.
//
// # Nothing outlives hood
//
// The box sets PR_SET_PDEATHSIG(SIGKILL) and checks its parent is still
// there; every process it starts does the same towards the box. hood starts
// boxes from one OS thread that never exits (the death signal follows the
// parent thread, not the process, golang/go#27505). When hood exits, is
// killed or crashes, the kernel kills the boxes and the processes they
// started, and each PID 1 a box forked takes its whole PID namespace with it.
// The box is also a child subreaper (PR_SET_CHILD_SUBREAPER), so programs
// that daemonize stay its descendants and hood kills them, by PID, whenever
// it closes a box. Only after a SIGKILL of hood can such a grandchild in the
// host PID namespace escape; putting boxes in cgroups closes that gap.
//
// Man pages: unshare(2), setns(2), namespaces(7), user_namespaces(7),
// pid_namespaces(7), prctl(2) (PR_SET_PDEATHSIG).
package box
