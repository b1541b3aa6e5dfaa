#!/bin/sh
# Builds the fixture trees doctor_test.go reads (run from this directory;
# the trees are checked in, this says how they were made).
set -e
common() { # DIR RELEASE UID CAPEFF
	d=$1
	mkdir -p $d/proc/sys/kernel $d/proc/sys/user $d/proc/self/ns $d/proc/1 $d/etc $d/sys/module
	echo "$2" > $d/proc/sys/kernel/osrelease
	echo x86_64 > $d/proc/sys/kernel/arch
	printf 'Name:\thood\nState:\tR (running)\nTgid:\t4242\nPid:\t4242\nPPid:\t1\nUid:\t%s\t%s\t%s\t%s\nGid:\t%s\t%s\t%s\t%s\nCapEff:\t%s\nSeccomp:\t0\n' $3 $3 $3 $3 $3 $3 $3 $3 $4 > $d/proc/self/status
	touch $d/proc/self/ns/user $d/proc/self/ns/time
	mkdir -p $d/proc/sys/kernel/seccomp && echo "kill_process kill_thread trap errno user_notif trace log allow" > $d/proc/sys/kernel/seccomp/actions_avail
	echo 15000 > $d/proc/sys/user/max_user_namespaces
	echo "Linux version $2 (builder@host) (gcc 12) #1 SMP" > $d/proc/version
	echo "0::/init.scope" > $d/proc/1/cgroup
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nada:x:1000:1000:Ada:/home/ada:/bin/bash\n' > $d/etc/passwd
	printf 'ffffffff81e064c0 t veth_setup\nffffffff81fbfea0 t nf_tables_init_net\n' > $d/proc/kallsyms
	echo 'ID=debian' > $d/etc/os-release
	echo '22 1 0:21 / / rw,relatime - ext4 /dev/sda1 rw' > $d/proc/self/mountinfo
}
v2mount='30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot'

# hybrid: this machine's layout, as root
rm -rf hybrid v2 v1 wsl2 docker ubuntu
common hybrid 6.18.44 0 000001ffffffffff
cat >> hybrid/proc/self/mountinfo <<'M'
31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
M
mkdir -p hybrid/sys/fs/cgroup/unified && echo hugetlb > hybrid/sys/fs/cgroup/unified/cgroup.controllers

# v2: pure cgroup v2 with systemd, ada (1000) ran it with delegation
common v2 6.8.0 1000 0000000000000000
echo "$v2mount" >> v2/proc/self/mountinfo
u=v2/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service
mkdir -p $u
echo "cpuset cpu io memory hugetlb pids rdma misc" > v2/sys/fs/cgroup/cgroup.controllers
echo "cpu memory pids" > $u/cgroup.controllers
touch $u/cgroup.procs $u/cgroup.subtree_control
echo 'ada:100000:65536' > v2/etc/subuid
echo '1000:100000:65536' > v2/etc/subgid

# v1: cgroup v1 only, an old kernel with Debian 10's switch off, as root
common v1 4.19.0 0 0000003fffffffff
rm v1/proc/self/ns/time
echo 0 > v1/proc/sys/kernel/unprivileged_userns_clone
cat >> v1/proc/self/mountinfo <<'M'
31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
M

# wsl2: Microsoft's kernel, hybrid with nothing in v2, ada without root
common wsl2 5.15.153.1-microsoft-standard-WSL2 1000 0000000000000000
echo "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 11.2.0) #1 SMP" > wsl2/proc/version
cat >> wsl2/proc/self/mountinfo <<'M'
31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
42 31 0:39 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
M
mkdir -p wsl2/sys/fs/cgroup/unified && : > wsl2/sys/fs/cgroup/unified/cgroup.controllers
rm wsl2/proc/kallsyms

# docker: root in a container without CAP_SYS_ADMIN, overlay root
common docker 6.1.0 0 00000000a80425fb
touch docker/.dockerenv
sed -i 's/^Seccomp:\t0$/Seccomp:\t2/' docker/proc/self/status # Docker's default profile
echo '0::/' > docker/proc/1/cgroup
echo "22 1 0:45 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w" > docker/proc/self/mountinfo
echo "$v2mount" >> docker/proc/self/mountinfo
mkdir -p docker/sys/fs/cgroup && echo "cpu memory pids" > docker/sys/fs/cgroup/cgroup.controllers

# ubuntu: 24.04, AppArmor restricts unprivileged user namespaces, ada
common ubuntu 6.8.0-31-generic 1000 0000000000000000
printf 'ID=ubuntu\nID_LIKE=debian\n' > ubuntu/etc/os-release
echo 1 > ubuntu/proc/sys/kernel/apparmor_restrict_unprivileged_userns
mkdir -p ubuntu/sys/module/apparmor/parameters && echo Y > ubuntu/sys/module/apparmor/parameters/enabled
echo "$v2mount" >> ubuntu/proc/self/mountinfo
u=ubuntu/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service
mkdir -p $u
echo "cpuset cpu io memory pids" > ubuntu/sys/fs/cgroup/cgroup.controllers
echo "memory pids" > $u/cgroup.controllers
touch $u/cgroup.procs $u/cgroup.subtree_control
echo 'ada:100000:65536' > ubuntu/etc/subuid
echo 'ada:100000:65536' > ubuntu/etc/subgid
