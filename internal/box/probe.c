// Probes: tiny programs that hood starts inside a box (BOX_SPAWN_SELF) when
// a syscall must come from a process *in* the box's new PID or time
// namespace, which the box itself never joins (it only sets
// pid_for_children and time_for_children). The binary is hood's own; the
// constructor sees HOOD_PROBE and runs one probe here, before Go starts.
//
// Every probe prints one line to stdout, "pid=N" (its PID as it sees it)
// followed by its results, and exits 0; exit status 2 means a bad request.
//
//   hood-probe kill PID SIG                  -> pid=N ret=R errno=E
//   hood-probe mount SRC TARGET TYPE FLAGS DATA -> pid=N ret=R errno=E
//   hood-probe clock                          -> pid=N monotonic=S.NS boottime=S.NS
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

static void done(long ret, int err)
{
	printf("pid=%d ret=%ld errno=%d\n", getpid(), ret, ret < 0 ? err : 0);
	fflush(stdout);
	_exit(0);
}

void hood_probe_main(int argc, char **argv)
{
	unsetenv("HOOD_PROBE");
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
	fprintf(stderr, "hood-probe: unknown probe\n");
	_exit(2);
}
