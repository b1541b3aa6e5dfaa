// The box's request loop. It runs from a constructor, before the Go runtime
// starts, so the box stays a single-threaded process: the kernel then lets it
// unshare(CLONE_NEWUSER) and setns() into user and mount namespaces, which it
// refuses to any multithreaded process (see doc.go).
//
// Protocol, over a SOCK_SEQPACKET socket on fd HOOD_BOX_FD: one request per
// message, one reply per request.
//
//   request: struct boxreq, then data bytes (NUL-terminated strings),
//            optional file descriptors as SCM_RIGHTS
//   reply:   struct boxrep, then data bytes
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boxproto.h"
#include "setid.h"

extern char **environ;

static int sock = -1;
static int self_fd = -1; // hood's binary, for BOX_SPAWN_SELF

// The memory that holds hood's argv and environment strings, which is what
// /proc/PID/cmdline shows. Forked boxes and PID 1s write their own name
// there, so ps and lsns say "hood-box box1", not hood's command line.
static char *title_start, *title_end;

static void set_title(const char *title)
{
	if (!title_start || title_end <= title_start)
		return;
	size_t room = title_end - title_start;
	size_t n = strlen(title);
	if (n >= room)
		n = room - 1;
	memcpy(title_start, title, n);
	memset(title_start + n, 0, room - n);
}

static void reply(int64_t ret, int32_t err, int64_t aux0, int64_t aux1, const char *data, size_t len)
{
	char buf[sizeof(struct boxrep) + BOX_MAXDATA];
	struct boxrep *r = (struct boxrep *)buf;
	memset(r, 0, sizeof(*r));
	r->ret = ret;
	r->err = err;
	r->aux[0] = aux0;
	r->aux[1] = aux1;
	if (len > BOX_MAXDATA)
		len = BOX_MAXDATA;
	if (len)
		memcpy(buf + sizeof(*r), data, len);
	if (send(sock, buf, sizeof(*r) + len, MSG_NOSIGNAL) < 0)
		_exit(1);
}

// strs splits data into at most max NUL-terminated strings.
static int strs(char *data, size_t len, char **out, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		out[n++] = data + i;
		i += strnlen(data + i, len - i) + 1;
	}
	out[n] = NULL;
	return n;
}

static void reset_signals(void)
{
	sigset_t all;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static void close_from(int lowfd)
{
	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
	for (int fd = lowfd; fd < 1024; fd++)
		close(fd);
}

// find_program puts in out the file that execvp(3) would run for name, on
// the PATH of envp: the box looks it up before it forks, so that the child
// makes one execve(2) of a known path, which hood narrates as made. When no
// directory has it, out is the first candidate, whose execve fails ENOENT.
static void find_program(const char *name, char **envp, char *out, size_t n)
{
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	snprintf(out, n, "%s", name);
	if (strchr(name, '/'))
		return;
	for (char **e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	int first = 1;
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dl = end ? (size_t)(end - p) : strlen(p);
		char cand[4096];
		if (dl == 0)
			snprintf(cand, sizeof(cand), "%s", name); // an empty entry is the working directory
		else
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, p, name);
		struct stat st;
		if (first)
			snprintf(out, n, "%s", cand);
		first = 0;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			snprintf(out, n, "%s", cand);
			return;
		}
		if (!end)
			return;
		p = end;
	}
}

// op_spawn forks and execs argv with the given stdio. Every process the box
// starts gets SIGKILL when the box dies, so nothing outlives hood.
static void op_spawn(struct boxreq *q, char *data, size_t len, int *fds, int nfds)
{
	char *v[BOX_MAXARGS + 1];
	int n = strs(data, len, v, BOX_MAXARGS);
	int argc = (int)q->arg[1];
	if (nfds < 3 || nfds > 4 || argc < 1 || argc > n) {
		reply(-1, EINVAL, 0, 0, NULL, 0);
		return;
	}
	char **argv = v;
	char *envp[BOX_MAXARGS + 1];
	int envc = 0;
	for (int i = argc; i < n; i++)
		envp[envc++] = v[i];
	envp[envc] = NULL;
	v[argc] = NULL;
	static char prog[4096];
	prog[0] = 0;
	if ((q->arg[0] & BOX_SPAWN_FD) && nfds != 4) {
		reply(-1, EINVAL, 0, 0, NULL, 0);
		return;
	}
	if (!(q->arg[0] & (BOX_SPAWN_SELF | BOX_SPAWN_FD)))
		find_program(argv[0], envp, prog, sizeof(prog));

	int errpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		reply(-1, errno, 0, 0, NULL, 0);
		return;
	}
	pid_t box = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		reply(-1, e, 0, 0, NULL, 0);
		return;
	}
	if (pid == 0) {
		int e;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != box && getppid() != 0)
			_exit(127);
		reset_signals();
		// Out of the way of the stdio and error-pipe descriptors. A
		// fourth descriptor (a workload's result pipe, probe.c) becomes
		// fd 3; the error pipe and hood's binary then move up by one.
		int selfcopy = fcntl(self_fd, F_DUPFD_CLOEXEC, 10);
		int extra = nfds == 4 ? fcntl(fds[3], F_DUPFD_CLOEXEC, 10) : -1;
		int errfd = nfds == 4 ? 4 : 3;
		int ew = fcntl(errpipe[1], F_DUPFD_CLOEXEC, 10);
		if (ew >= 0) {
			close(errpipe[1]);
			errpipe[1] = ew;
		}
		if (nfds == 4 && extra < 0)
			goto fail;
		if (q->arg[0] & BOX_SPAWN_FOREGROUND) {
			// Become our own job and take the terminal, as a shell
			// does for a foreground job, so Ctrl-C reaches only us.
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(fds[0], getpgrp());
			signal(SIGTTOU, SIG_DFL);
			// hood has no job control: a job stopped by Ctrl-Z could
			// never be resumed, and hood would wait for it for good.
			// Ignored, SIGTSTP stays ignored across execve.
			signal(SIGTSTP, SIG_IGN);
		}
		for (int i = 0; i < 3; i++) {
			int fd = fds[i] == i ? fds[i] : dup2(fds[i], i);
			if (fd < 0)
				goto fail;
		}
		// dup2 onto itself keeps FD_CLOEXEC; clear it everywhere.
		for (int i = 0; i < 3; i++)
			fcntl(i, F_SETFD, 0);
		if (extra >= 0 && dup2(extra, 3) < 0) // dup2 clears FD_CLOEXEC
			goto fail;
		dup2(errpipe[1], errfd);
		fcntl(errfd, F_SETFD, FD_CLOEXEC);
		errpipe[1] = errfd;
		if (q->arg[0] & BOX_SPAWN_SELF) {
			// Keep hood's binary open (fd 4, or 5 after a result
			// pipe) to exec it.
			if (dup2(selfcopy, errfd + 1) < 0)
				goto fail;
			fcntl(errfd + 1, F_SETFD, FD_CLOEXEC);
			self_fd = errfd + 1;
			close_from(errfd + 2);
		} else {
			close_from(errfd + 1);
		}
		environ = envp;
		if (q->arg[0] & BOX_SPAWN_SELF)
			fexecve(self_fd, argv, envp);
		else if (q->arg[0] & BOX_SPAWN_FD) {
			// The program is fd 3; execve closes it (a script, whose
			// interpreter would need it open, fails with ENOENT).
			fcntl(3, F_SETFD, FD_CLOEXEC);
			fexecve(3, argv, envp);
		} else
			execve(prog, argv, envp);
	fail:
		e = errno;
		(void)!write(errpipe[1], &e, sizeof(e));
		_exit(127);
	}
	close(errpipe[1]);
	int execerr = 0;
	if (read(errpipe[0], &execerr, sizeof(execerr)) != sizeof(execerr))
		execerr = 0;
	close(errpipe[0]);
	reply(pid, 0, execerr, 0, prog, strlen(prog));
}

// op_forkinit forks a child that stays alive as PID 1 of the box's new PID
// namespace (what unshare --fork gives), optionally mounting a fresh /proc
// from inside it, as unshare --mount-proc does: only a process inside the
// new PID namespace mounts a proc that shows that namespace.
static void op_forkinit(struct boxreq *q)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		reply(-1, errno, 0, 0, NULL, 0);
		return;
	}
	pid_t box = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		reply(-1, e, 0, 0, NULL, 0);
		return;
	}
	if (pid == 0) {
		int e = 0;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != box && getppid() != 0)
			_exit(1);
		close(sock);
		close(p[0]);
		prctl(PR_SET_NAME, "hood-init");
		set_title("hood-init");
		// Hold no directory but the root: pivot_root(2) moves the root and
		// working directory of each process whose root or cwd is the old
		// root, and only those, so a PID 1 left in hood's directory would
		// keep a way into the detached old root.
		(void)!chdir("/");
		if ((q->arg[0] & BOX_INIT_MOUNTPROC) &&
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			e = errno;
		(void)!write(p[1], &e, sizeof(e));
		close(p[1]);
		// Reap whatever is orphaned into this namespace, forever.
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_BLOCK, &set, NULL);
		for (;;) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			sigwaitinfo(&set, NULL);
		}
	}
	close(p[1]);
	int mounterr = 0;
	if (read(p[0], &mounterr, sizeof(mounterr)) != sizeof(mounterr))
		mounterr = EIO;
	close(p[0]);
	reply(pid, 0, mounterr, 0, NULL, 0);
}

static void box_setup(void)
{
	// The box never reads the terminal: keyboard signals are for the
	// program in the foreground, not for it.
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	// Orphans of the programs we start come to us, so hood can find and
	// kill them when the box closes.
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	self_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
}

// op_readfile reads a file as the box sees it: through its own mount, IPC,
// cgroup and user namespaces (/proc/self/cgroup, /proc/sysvipc/msg, ...).
// op_seccomp installs the filter in data on the box itself: a filter only
// ever applies to the calling thread and what it starts afterwards. The
// reply's aux0 is the address of the program, as strace shows it.
static void op_seccomp(struct boxreq *q, char *data, size_t len)
{
	static struct sock_filter insns[BOX_MAXDATA / sizeof(struct sock_filter)];
	struct sock_fprog prog = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = insns };
	memcpy(insns, data, prog.len * sizeof(struct sock_filter));
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)q->arg[0], &prog);
	reply(r, r < 0 ? errno : 0, (int64_t)(uintptr_t)&prog, (int64_t)(uintptr_t)insns, NULL, 0);
}

// op_writefile writes the second string of data to the file the first
// names, as `echo DATA > PATH` does: open, one write, close. aux0 is the
// descriptor (-1: open failed, ret and err are open's), aux1 close's errno.
static void op_writefile(char *data, size_t len)
{
	char *v[3];
	if (strs(data, len, v, 2) != 2) {
		reply(-1, EINVAL, -1, 0, NULL, 0);
		return;
	}
	int fd = open(v[0], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		reply(-1, errno, -1, 0, NULL, 0);
		return;
	}
	ssize_t n = write(fd, v[1], strlen(v[1]));
	int e = n < 0 ? errno : 0;
	int ce = close(fd) < 0 ? errno : 0;
	reply(n, e, fd, ce, NULL, 0);
}

static void op_readfile(char *data, size_t len)
{
	static char out[BOX_MAXDATA];
	data[len < BOX_MAXDATA ? len : BOX_MAXDATA - 1] = 0;
	int fd = open(data, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		reply(-1, errno, 0, 0, NULL, 0);
		return;
	}
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, out + n, sizeof(out) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			reply(-1, e, 0, 0, NULL, 0);
			return;
		}
		if (r == 0 || (n += r) == sizeof(out))
			break;
	}
	close(fd);
	reply(n, 0, 0, 0, out, n);
}

// op_setid drops the box to an unprivileged uid and gid, as a user without
// root would be. Changing credentials clears the death signal, so it is set
// again.
static void op_setid(struct boxreq *q)
{
	pid_t parent = getppid();
	uid_t uid = (uid_t)q->arg[0];
	gid_t gid = (gid_t)q->arg[1];
	// aux0 says how many of the three calls were made: the last one
	// made is the one that failed.
	if (setgroups(0, NULL) < 0) {
		reply(-1, errno, 1, 0, NULL, 0);
		return;
	}
	if (setresgid(gid, gid, gid) < 0) {
		reply(-1, errno, 2, 0, NULL, 0);
		return;
	}
	if (setresuid(uid, uid, uid) < 0) {
		reply(-1, errno, 3, 0, NULL, 0);
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	reply(0, 0, 3, 0, NULL, 0);
}

static void serve(void)
{
	char buf[sizeof(struct boxreq) + BOX_MAXDATA + 1];
	char cbuf[CMSG_SPACE(sizeof(int) * BOX_MAXFDS)];
	for (;;) {
		struct iovec iov = {buf, sizeof(buf) - 1};
		struct msghdr mh;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(0); // hood has gone: so do we
		}
		if ((size_t)n < sizeof(struct boxreq))
			_exit(2);
		buf[n] = 0;
		int fds[BOX_MAXFDS], nfds = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (int i = 0; i < k && nfds < BOX_MAXFDS; i++)
					memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			}
		}
		struct boxreq *q = (struct boxreq *)buf;
		char *data = buf + sizeof(*q);
		size_t len = n - sizeof(*q);
		char *s[5];
		int r;
		struct utsname u;
		switch (q->op) {
		case BOX_UNSHARE:
			r = unshare((int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_SETNS:
			if (nfds != 1) {
				reply(-1, EBADF, 0, 0, NULL, 0);
				break;
			}
			// aux0: the descriptor number the file arrived as, which
			// is what setns(2) was called with.
			r = setns(fds[0], (int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, fds[0], 0, NULL, 0);
			break;
		case BOX_SETHOSTNAME:
			r = sethostname(data, strnlen(data, len));
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_UNAME:
			r = uname(&u);
			reply(r, r < 0 ? errno : 0, 0, 0, u.nodename, r < 0 ? 0 : strlen(u.nodename));
			break;
		case BOX_MOUNT:
			memset(s, 0, sizeof(s));
			strs(data, len, s, 4);
			for (int i = 0; i < 4; i++)
				if (s[i] && !*s[i])
					s[i] = NULL;
			r = mount(s[0], s[1], s[2], (unsigned long)q->arg[0], s[3]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_SPAWN:
			op_spawn(q, data, len, fds, nfds);
			break;
		case BOX_FORKINIT:
			op_forkinit(q);
			break;
		case BOX_WAIT: {
			int status = 0;
			pid_t w;
			do
				w = waitpid((pid_t)q->arg[0], &status, 0);
			while (w < 0 && errno == EINTR);
			reply(w, w < 0 ? errno : 0, status, 0, NULL, 0);
			break;
		}
		case BOX_HASCHILD: {
			// Every process below the box is a child of it or below
			// one (orphans come back to it: it is a subreaper).
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
			reply(r == 0 ? 1 : 0, 0, 0, 0, NULL, 0);
			break;
		}
		case BOX_READFILE:
			op_readfile(data, len);
			break;
		case BOX_WRITEFILE:
			op_writefile(data, len);
			break;
		case BOX_SETID:
			op_setid(q);
			break;
		case BOX_UMOUNT:
			r = umount2(data, (int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_CHDIR:
			r = chdir(data);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_FCHDIR:
			r = fchdir((int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_CHROOT:
			r = chroot(data);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_PIVOT_ROOT:
			memset(s, 0, sizeof(s));
			strs(data, len, s, 2);
			r = s[0] && s[1] ? syscall(SYS_pivot_root, s[0], s[1]) : (errno = EINVAL, -1);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_OPEN_TREE:
			r = syscall(SYS_open_tree, AT_FDCWD, data, (unsigned int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_MOVE_MOUNT: {
			// aux0: the descriptor move_mount(2) was called with.
			int from = nfds == 1 ? fds[0] : (int)q->arg[1];
			r = syscall(SYS_move_mount, from, "", AT_FDCWD, data, (unsigned int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, from, 0, NULL, 0);
			break;
		}
		case BOX_PRCTL:
			r = prctl((int)q->arg[0], (unsigned long)q->arg[1], (unsigned long)q->arg[2], (unsigned long)q->arg[3], 0UL);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_CAPSET: {
			struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
			struct __user_cap_data_struct d[2];
			for (int i = 0; i < 2; i++) {
				d[i].effective = (uint32_t)((uint64_t)q->arg[0] >> (32 * i));
				d[i].permitted = (uint32_t)((uint64_t)q->arg[1] >> (32 * i));
				d[i].inheritable = (uint32_t)((uint64_t)q->arg[2] >> (32 * i));
			}
			r = syscall(SYS_capset, &h, d);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		}
		case BOX_MKDIR:
			r = mkdirat(AT_FDCWD, data, (mode_t)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_OPEN:
			r = open(data, (int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_SOCKET:
			r = socket((int)q->arg[0], (int)q->arg[1], (int)q->arg[2]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_CLOSE:
			r = close((int)q->arg[0]);
			reply(r, r < 0 ? errno : 0, 0, 0, NULL, 0);
			break;
		case BOX_SECCOMP:
			op_seccomp(q, data, len);
			break;
		case BOX_EXIT:
			reply(0, 0, 0, 0, NULL, 0);
			_exit(0);
		default:
			reply(-1, ENOSYS, 0, 0, NULL, 0);
		}
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
	}
}

// The first box is forked here, before the Go runtime exists: a fork of a
// single-threaded process is safe and costs far less than starting the
// binary again. Only a program that defines hood_prefork (cmd/hood) asks
// for it; hood adopts the box as box1 (box.Start).
extern int hood_prefork __attribute__((weak));
static int prefork_fd = -1, prefork_pid = -1;

int hood_prefork_fd(void) { return prefork_fd; }
int hood_prefork_pid(void) { return prefork_pid; }

static void prefork(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid > 0) {
		close(sv[1]);
		prefork_fd = sv[0];
		prefork_pid = pid;
		return;
	}
	close(sv[0]);
	sock = sv[1];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "hood-box");
	set_title("hood-box box1");
	box_setup();
	serve();
	_exit(0);
}

void hood_probe_main(int argc, char **argv);

// hood_box_main runs in every hood process before Go starts. In hood itself
// it returns at once (after forking the first box when asked); in a box
// started again from the binary (HOOD_BOX_FD set) it never returns.
void hood_box_main(int argc, char **argv, char **envp)
{
	// Before anything else, in every role: never run set-user-ID (setid.c).
	hood_refuse_setid(argc > 0 && argv ? argv[0] : NULL);
	if (argc > 0 && argv && argv[0]) {
		title_start = argv[0];
		char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
		for (char **e = envp; e && *e; e++)
			if (*e == end)
				end = *e + strlen(*e) + 1;
		title_end = end;
	}
	// A probe named go-... is written in Go (goprobe.go runs it): let the
	// runtime start, in the namespaces and with the credentials the box
	// gave this child.
	if (getenv("HOOD_PROBE") && argc >= 2 && strncmp(argv[1], "go-", 3) == 0)
		return;
	if (getenv("HOOD_PROBE"))
		hood_probe_main(argc, argv); // never returns
	const char *fd = getenv("HOOD_BOX_FD");
	const char *parent = getenv("HOOD_BOX_PARENT");
	if (!fd || !parent) {
		if (&hood_prefork && hood_prefork)
			prefork();
		return;
	}
	sock = atoi(fd);
	// Die with hood, even when hood is killed with SIGKILL; and if hood
	// died before we got here, leave at once.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != (pid_t)atoi(parent))
		_exit(1);
	prctl(PR_SET_NAME, "hood-box");
	box_setup();
	unsetenv("HOOD_BOX_FD");
	unsetenv("HOOD_BOX_PARENT");
	serve();
	_exit(0);
}
