// Probes: tiny programs that hood starts inside a box (BOX_SPAWN_SELF) when
// a syscall must come from a process *in* the box's new PID or time
// namespace, which the box itself never joins (it only sets
// pid_for_children and time_for_children). The binary is hood's own; the
// constructor sees HOOD_PROBE and runs one probe here, before Go starts.
//
// Each of these one-shot probes prints one line to stdout, "pid=N" (its PID
// as it sees it) followed by its results, and exits 0; exit status 2 means a
// bad request.
//
//   hood-probe kill PID SIG                  -> pid=N ret=R errno=E
//   hood-probe mount SRC TARGET TYPE FLAGS DATA -> pid=N ret=R errno=E
//   hood-probe clock                          -> pid=N monotonic=S.NS boottime=S.NS
//   hood-probe userns UID GID                -> see usernsprobe.c
//   hood-probe strict                         -> pid=N ret=R errno=E, then openat(2) of
//                                               /etc/hostname, which strict mode answers with SIGKILL
//
// Workloads (workload.go) are probes that run a while and load the box's
// cgroup: they talk to the learner on stdout and to hood on fd 3, a pipe,
// one line per event, each "hood-probe: " then KEY=VALUE fields. The first
// is "pid=N". Exit status 0: it ran to its end; 1: a call failed (the line
// "failed=CALL errno=E" says which); 2: a bad request; 3: refused (write).
//
//   hood-probe burn THREADS SECONDS   -> cpu=S wall=S threads=N (every second and at the end)
//   hood-probe alloc SIZE STEP HOLD   -> touched=BYTES (every step), held=SECONDS
//   hood-probe forkbomb MAX           -> started=N errno=E max=N, reaped=N
//   hood-probe write PATH SIZE DIRECT DEV -> written=BYTES elapsed=S (every second), bytes=N elapsed=S
//                                    (DEV: "-", or MAJ:MIN when PATH is a block device hood made)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/seccomp.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void done(long ret, int err)
{
	printf("pid=%d ret=%ld errno=%d\n", getpid(), ret, ret < 0 ? err : 0);
	fflush(stdout);
	_exit(0);
}

#define RESULT_FD 3
#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)
#define MAX_SIZE (64 * GiB) // as workload.go
#define BLOCK MiB           // write's block
#define ALIGN 4096          // O_DIRECT's alignment

// line writes prefix, the formatted text and a newline to fd in one
// write(2), so that lines never mix (a pipe write of up to PIPE_BUF bytes
// is atomic). Text that does not fit is cut.
static void line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int p = snprintf(buf, sizeof(buf), "%s", prefix);
	int k = vsnprintf(buf + p, sizeof(buf) - p - 1, fmt, ap);
	if (k < 0)
		return;
	size_t n = p + ((size_t)k < sizeof(buf) - p - 1 ? (size_t)k : sizeof(buf) - p - 2);
	buf[n++] = '\n';
	(void)!write(fd, buf, n);
}

// result sends one line of KEY=VALUE fields to hood.
static void result(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	line(RESULT_FD, "hood-probe: ", fmt, ap);
	va_end(ap);
}

// say tells the learner, on stdout.
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	line(1, "", fmt, ap);
	va_end(ap);
}

// human formats bytes as the learner reads them: "40 MiB", "12 KiB".
static const char *human(long long n, char *buf, size_t len)
{
	if (n >= GiB && n % GiB == 0)
		snprintf(buf, len, "%lld GiB", n / GiB);
	else if (n >= MiB && n % MiB == 0)
		snprintf(buf, len, "%lld MiB", n / MiB);
	else if (n >= MiB)
		snprintf(buf, len, "%.1f MiB", (double)n / MiB);
	else if (n >= KiB && n % KiB == 0)
		snprintf(buf, len, "%lld KiB", n / KiB);
	else
		snprintf(buf, len, "%lld bytes", n);
	return buf;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = {(time_t)t, (long)((t - (time_t)t) * 1e9)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

// number parses a whole decimal argument in [lo, hi], or exits 2.
static long long number(const char *s, long long lo, long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "hood-probe: bad argument %s\n", s);
		_exit(2);
	}
	return v;
}

// burn: THREADS threads spin for SECONDS; the CPU time they got is the
// process's, from getrusage(RUSAGE_SELF): user + system, all threads.
static atomic_int burn_stop;

static void *spin(void *arg)
{
	volatile unsigned long x = 0;
	(void)arg;
	while (!atomic_load_explicit(&burn_stop, memory_order_relaxed))
		x++;
	return NULL;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void burn(int threads, int seconds)
{
	pthread_t t[64];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	say("spinning %d thread%s for %d s", threads, threads == 1 ? "" : "s", seconds);
	double start = now(), end = start + seconds;
	int n = 0, err = 0;
	for (; n < threads; n++)
		if ((err = pthread_create(&t[n], &attr, spin, NULL)) != 0)
			break;
	if (err) {
		atomic_store(&burn_stop, 1);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		result("failed=pthread_create errno=%d threads=%d", err, n);
		say("pthread_create failed after %d thread%s: %s", n, n == 1 ? "" : "s", strerror(err));
		_exit(1);
	}
	// Progress every second, so hood knows what was burned even when
	// the burn is stopped (Ctrl-C) before its end.
	for (double tick = start + 1; tick < end; tick += 1) {
		sleep_until(tick);
		result("cpu=%.6f wall=%.6f threads=%d", cpu_seconds(), now() - start, threads);
	}
	sleep_until(end);
	atomic_store(&burn_stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	double cpu = cpu_seconds(), wall = now() - start;
	result("cpu=%.6f wall=%.6f threads=%d", cpu, wall, threads);
	say("burned %.2f s of CPU in %.2f s", cpu, wall);
	_exit(0);
}

// alloc maps SIZE bytes STEP at a time and writes to every page of each
// step, so the memory is really charged (an untouched mapping costs
// nothing), then holds it HOLD seconds. It never maps more than SIZE.
static void alloc(long long size, long long step, int hold)
{
	char a[32], b[32];
	long page = sysconf(_SC_PAGESIZE);
	// The first to go when memory runs out anywhere: this probe, not
	// something else on the machine. Raising one's own score needs no
	// privilege.
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "1000", 4);
		close(fd);
	}
	long long done = 0;
	while (done < size) {
		long long n = size - done < step ? size - done : step;
		char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			result("failed=mmap errno=%d len=%lld touched=%lld", e, n, done);
			say("mmap of %s failed: %s (touched %s)", human(n, a, sizeof(a)), strerror(e), human(done, b, sizeof(b)));
			_exit(1);
		}
		for (long long off = 0; off < n; off += page)
			p[off] = 1;
		done += n;
		result("touched=%lld", done);
		say("touched %s", human(done, a, sizeof(a)));
	}
	if (hold > 0) {
		say("holding %s for %d s", human(done, a, sizeof(a)), hold);
		sleep_until(now() + hold);
	}
	result("held=%d", hold);
	_exit(0);
}

// forkbomb forks children that only wait, until MAX or until fork fails;
// then kills and reaps every one of them. It is their parent, and each
// child also dies with it (PR_SET_PDEATHSIG), so none is left behind.
static volatile sig_atomic_t bomb_stop;

static void bomb_signal(int sig) { bomb_stop = sig; }

static void forkbomb(int max)
{
	pid_t *kids = calloc(max, sizeof(pid_t));
	if (!kids) {
		result("failed=malloc errno=%d", ENOMEM);
		_exit(1);
	}
	// Ctrl-C (or a TERM) stops the forking, the children are killed and
	// reaped, then the signal ends us as it would have.
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bomb_signal;
	int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, NULL);
	pid_t self = getpid();
	int n = 0, err = 0;
	while (n < max && !bomb_stop) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)
				_exit(0);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			// Hold no pipe open: hood reads fd 3 until it closes.
			for (int fd = 0; fd <= RESULT_FD; fd++)
				close(fd);
			for (;;)
				pause();
		}
		kids[n++] = pid;
	}
	result("started=%d errno=%d max=%d", n, err, max);
	if (err)
		say("fork failed after %d processes: %s", n, strerror(err));
	else if (bomb_stop)
		say("stopped by SIG%s after %d processes", sigabbrev_np(bomb_stop), n);
	else
		say("started %d processes (--max %d)", n, max);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	int reaped = 0;
	for (int i = 0; i < n; i++) {
		pid_t w;
		while ((w = waitpid(kids[i], NULL, 0)) < 0 && errno == EINTR)
			;
		if (w == kids[i])
			reaped++;
	}
	result("reaped=%d", reaped);
	say("killed and reaped %d", reaped);
	if (bomb_stop) {
		signal(bomb_stop, SIG_DFL);
		raise(bomb_stop);
	}
	_exit(0);
}

// pseudo names the kernel filesystems whose files are controls, not data:
// write refuses them.
static const char *pseudo(long type)
{
	static const struct {
		long magic;
		const char *name;
	} fs[] = {
		{PROC_SUPER_MAGIC, "proc"}, {SYSFS_MAGIC, "sysfs"}, {CGROUP_SUPER_MAGIC, "cgroup"},
		{CGROUP2_SUPER_MAGIC, "cgroup2"}, {DEBUGFS_MAGIC, "debugfs"}, {TRACEFS_MAGIC, "tracefs"},
		{SECURITYFS_MAGIC, "securityfs"}, {BPF_FS_MAGIC, "bpf"}, {EFIVARFS_MAGIC, "efivarfs"},
		{PSTOREFS_MAGIC, "pstore"}, {DEVPTS_SUPER_MAGIC, "devpts"}, {SELINUX_MAGIC, "selinuxfs"},
		{SMACK_MAGIC, "smackfs"}, {BINFMTFS_MAGIC, "binfmt_misc"}, {NSFS_MAGIC, "nsfs"},
		{0x62656570, "configfs"}, {0x65735543, "fusectl"}, {0x19800202, "mqueue"},
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if ((unsigned long)type == (unsigned long)fs[i].magic)
			return fs[i].name;
	return NULL;
}

static const char *kind(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR: return "directory";
	case S_IFCHR: return "character-device";
	case S_IFBLK: return "block-device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFLNK: return "symlink";
	}
	return "other";
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

// open_file opens PATH to write SIZE bytes: only a regular file (made when
// missing, truncated when there), and none under /dev, /proc or /sys or in
// a kernel filesystem.
static int open_file(const char *path, int direct)
{
	struct stat st;
	struct statfs sf;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		result("refused=not-regular type=%s", kind(st.st_mode));
		_exit(3);
	}
	// Where the file really is, symbolic links resolved, as the box sees it.
	char dir[PATH_MAX], real[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	if (!realpath(exists ? path : dir, real)) {
		int e = errno;
		result("failed=realpath errno=%d", e);
		_exit(1);
	}
	if (under(real, "/dev") || under(real, "/proc") || under(real, "/sys")) {
		result("refused=system-path");
		_exit(3);
	}
	if (statfs(real, &sf) == 0 && pseudo(sf.f_type)) {
		result("refused=pseudo-fs fs=%s", pseudo(sf.f_type));
		_exit(3);
	}
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (direct)
		flags |= O_DIRECT;
	// A new file must be new: O_EXCL follows no symbolic link, so a
	// dangling one cannot send the write elsewhere.
	if (!exists)
		flags |= O_EXCL;
	int fd = open(path, flags, 0644);
	if (fd < 0) {
		int e = errno;
		result("failed=open errno=%d flags=%d excl=%d", e, flags, !exists);
		_exit(1);
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		result("refused=not-regular type=%s", kind(st.st_mode));
		_exit(3);
	}
	return fd;
}

// open_device opens PATH only if it is the block device DEV, which hood
// names because it made it (a loop device, `loop new`), and only to write
// within it.
static int open_device(const char *path, dev_t dev, long long size, int direct)
{
	struct stat st;
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | (direct ? O_DIRECT : 0);
	int fd = open(path, flags);
	if (fd < 0) {
		int e = errno;
		result("failed=open errno=%d flags=%d", e, flags);
		_exit(1);
	}
	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != dev) {
		result("refused=not-the-device");
		_exit(3);
	}
	unsigned long long bytes = 0;
	if (ioctl(fd, BLKGETSIZE64, &bytes) == 0 && (unsigned long long)size > bytes) {
		result("refused=device-too-small device_bytes=%llu", bytes);
		_exit(3);
	}
	return fd;
}

// write_file writes SIZE bytes to PATH in 1 MiB blocks, with O_DIRECT or
// through the page cache and an fsync at the end.
static void write_file(const char *path, long long size, int direct, dev_t dev)
{
	char a[32];
	int fd = dev ? open_device(path, dev, size, direct) : open_file(path, direct);
	char *buf;
	if (posix_memalign((void **)&buf, ALIGN, BLOCK) != 0) {
		result("failed=malloc errno=%d", ENOMEM);
		_exit(1);
	}
	// Not zeros: no filesystem or device can skip storing them.
	for (long i = 0; i < BLOCK; i++)
		buf[i] = (char)(i * 131 + 7);
	say("writing %s to %s%s", human(size, a, sizeof(a)), path, direct ? " with O_DIRECT" : "");
	double start = now(), next = start + 1;
	long long done = 0;
	while (done < size) {
		long long want = size - done < BLOCK ? size - done : BLOCK;
		ssize_t w = write(fd, buf, want);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			// A write that returns 0 moved nothing and set no errno.
			int e = w < 0 ? errno : 0;
			result("failed=write errno=%d ret=%zd fd=%d want=%lld bytes=%lld elapsed=%.6f", e, w, fd, want, done, now() - start);
			_exit(1);
		}
		done += w;
		if (now() >= next) {
			next += 1;
			result("written=%lld elapsed=%.6f", done, now() - start);
			say("wrote %s", human(done, a, sizeof(a)));
		}
	}
	if (!direct && fsync(fd) < 0) {
		int e = errno;
		result("failed=fsync errno=%d fd=%d bytes=%lld elapsed=%.6f", e, fd, done, now() - start);
		_exit(1);
	}
	close(fd);
	double t = now() - start;
	result("bytes=%lld elapsed=%.6f", done, t);
	say("wrote %s in %.2f s", human(done, a, sizeof(a)), t);
	_exit(0);
}

// workload runs one workload, if argv names one; it never returns then.
static void workload(int argc, char **argv)
{
	const char *w = argv[1];
	int ok = (strcmp(w, "burn") == 0 && argc == 4) || (strcmp(w, "alloc") == 0 && argc == 5) ||
		 (strcmp(w, "forkbomb") == 0 && argc == 3) || (strcmp(w, "write") == 0 && argc == 6);
	if (!ok)
		return;
	// A reader that went away must not kill us with SIGPIPE.
	signal(SIGPIPE, SIG_IGN);
	if (fcntl(RESULT_FD, F_GETFD) < 0) {
		fprintf(stderr, "hood-probe: %s needs its result pipe on fd %d\n", w, RESULT_FD);
		_exit(2);
	}
	result("pid=%d", getpid());
	if (strcmp(w, "burn") == 0)
		burn(number(argv[2], 1, 64), number(argv[3], 1, 600));
	if (strcmp(w, "alloc") == 0)
		alloc(number(argv[2], 1, MAX_SIZE), number(argv[3], 4096, MAX_SIZE), number(argv[4], 0, 600));
	if (strcmp(w, "forkbomb") == 0)
		forkbomb(number(argv[2], 1, 10000));
	long long size = number(argv[3], 1, MAX_SIZE);
	int direct = number(argv[4], 0, 1);
	if (direct && size % ALIGN) {
		fprintf(stderr, "hood-probe: O_DIRECT needs a size in whole %d-byte blocks\n", ALIGN);
		_exit(2);
	}
	// DEV: "-" for a file, or the MAJ:MIN of a block device hood made.
	dev_t dev = 0;
	unsigned maj, min;
	char end;
	if (strcmp(argv[5], "-") != 0) {
		if (sscanf(argv[5], "%u:%u%c", &maj, &min, &end) != 2 || maj == 0) {
			fprintf(stderr, "hood-probe: bad device %s\n", argv[5]);
			_exit(2);
		}
		dev = makedev(maj, min);
	}
	write_file(argv[2], size, direct, dev);
}

void hood_userns_probe(int argc, char **argv);

void hood_probe_main(int argc, char **argv)
{
	unsetenv("HOOD_PROBE");
	if (argc >= 4 && strcmp(argv[1], "userns") == 0)
		hood_userns_probe(argc, argv); // usernsprobe.c
	if (argc >= 2)
		workload(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "kill") == 0) {
		int r = kill((pid_t)atoi(argv[2]), atoi(argv[3]));
		done(r, errno);
	}
	if (argc >= 7 && strcmp(argv[1], "mount") == 0) {
		const char *a[5];
		for (int i = 0; i < 5; i++)
			a[i] = argv[2 + i][0] ? argv[2 + i] : NULL;
		int r = mount(a[0], a[1], a[2], strtoul(argv[5], NULL, 0), a[4]);
		done(r, errno);
	}
	if (argc >= 2 && strcmp(argv[1], "clock") == 0) {
		struct timespec m, b;
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_BOOTTIME, &b);
		printf("pid=%d monotonic=%lld.%09ld boottime=%lld.%09ld\n", getpid(),
		       (long long)m.tv_sec, m.tv_nsec, (long long)b.tv_sec, b.tv_nsec);
		fflush(stdout);
		_exit(0);
	}
	if (argc >= 2 && strcmp(argv[1], "strict") == 0) {
		// Mode 1 allows read, write, _exit and sigreturn only: the line
		// is written after prctl, and the open is the forbidden call.
		printf("pid=%d ", getpid());
		fflush(stdout);
		int r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT);
		char line[64];
		int n = snprintf(line, sizeof(line), "ret=%d errno=%d\n", r, r < 0 ? errno : 0);
		write(1, line, n);
		if (r < 0)
			_exit(1);
		open("/etc/hostname", O_RDONLY);
		write(1, "survived=1\n", 11);
		syscall(SYS_exit, 0);
	}
	fprintf(stderr, "hood-probe: unknown probe\n");
	_exit(2);
}
