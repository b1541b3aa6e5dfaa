// hood refuses to run setuid or setgid. This runs first in every process
// of hood's binary (hood itself, its boxes and probes), before the Go
// runtime starts and before anything reads the environment: a setuid-root
// hood would give every user of the machine root's namespaces, mounts and
// cgroups, with an environment (HOOD_BOX_FD, HOOD_PROBE, XDG_STATE_HOME)
// that they chose.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "setid.h"

void hood_refuse_setid(const char *argv0)
{
	uid_t ruid = getuid(), euid = geteuid();
	gid_t rgid = getgid(), egid = getegid();
	// AT_SECURE: the kernel says this execve changed credentials (a set-id
	// bit, file capabilities, or an LSM's transition).
	unsigned long secure = getauxval(AT_SECURE);
	if (ruid == euid && rgid == egid && !secure)
		return;
	dprintf(2, "hood: refusing to run set-user-ID or set-group-ID (real uid %u, effective uid %u, "
		   "real gid %u, effective gid %u, AT_SECURE %lu): a setuid hood would give every user "
		   "of this machine root's namespaces, mounts and cgroups. Remove the bit "
		   "(chmod u-s,g-s %s) and run hood as root or with sudo.\n",
		(unsigned)ruid, (unsigned)euid, (unsigned)rgid, (unsigned)egid, secure,
		argv0 && *argv0 ? argv0 : "hood");
	_exit(HOOD_EXIT_SETID);
}
