// The userns probe (hood doctor): can this user make a user namespace and
// map itself into it, as unshare -r and a rootless hood do? It runs before
// Go starts, so the process is single-threaded, which unshare(CLONE_NEWUSER)
// requires.
//
//   hood-probe userns UID GID -> uid=U unshare=R unshare_errno=E uid_map=R uid_map_errno=E
//
// Run by root with a UID other than 0 (the user behind sudo), the probe first
// becomes that user (setgroups, setgid, setuid), so the answer is the user's.
// uid_map is written by the process itself, "0 UID 1", which an unprivileged
// process may do for its own uid; AppArmor's restriction on Ubuntu 23.10+
// lets the unshare succeed and refuses this write with EPERM.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

void hood_userns_probe(int argc, char **argv)
{
	uid_t uid = (uid_t)atoi(argv[2]);
	gid_t gid = (gid_t)atoi(argv[3]);
	if (getuid() == 0 && uid != 0) {
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
			printf("uid=%d drop=-1 drop_errno=%d\n", (int)getuid(), errno);
			fflush(stdout);
			_exit(1);
		}
		// Changing uid made the process non-dumpable, which gives its
		// /proc/self files to root: a user's own process is dumpable.
		prctl(PR_SET_DUMPABLE, 1);
	}
	int r = unshare(CLONE_NEWUSER);
	int ue = r < 0 ? errno : 0;
	int m = -1, me = 0;
	if (r == 0) {
		char line[64];
		int n = snprintf(line, sizeof(line), "0 %d 1\n", (int)uid);
		int fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			me = errno;
		} else {
			m = write(fd, line, n) == n ? 0 : -1;
			me = m < 0 ? errno : 0;
			close(fd);
		}
	}
	printf("uid=%d unshare=%d unshare_errno=%d uid_map=%d uid_map_errno=%d\n", (int)uid, r, ue, m, me);
	fflush(stdout);
	_exit(0);
}
