#!/bin/sh
# /init of the vmtest VM, run by busybox sh as PID 1 (see main.go). It mounts
# a pure cgroup v2 hierarchy at /sys/fs/cgroup with cpu, memory, io, pids and
# cpuset enabled for the root's children, runs the steps in /vmtest/plan.sh
# and powers the VM off. The console (ttyS0) gets the kernel's messages; the
# second serial port (ttyS1, fd 3; on arm64 the virtio console hvc0) gets
# each step's output between
#
#	=== vmtest BEGIN NAME
#	=== vmtest END NAME rc=STATUS
#
# and "=== vmtest DONE" once every step ran, which main.go reads.
export PATH=/bin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp
# The initramfs is the kernel's first mount (rootfs), which pivot_root(2)
# refuses to move, as every booted system's root is not: copy it into a
# tmpfs and make that the root (switch_root frees the initramfs), so the
# rootfs lab's pivot_root runs here as on a real machine.
if [ ! -e /.switched ]; then
	mkdir /newroot && mount -t tmpfs -o mode=0755 tmpfs /newroot
	for d in /*; do
		case $d in /newroot | /proc | /sys | /dev | /run | /tmp) mkdir "/newroot$d" ;; *) cp -a "$d" /newroot/ ;; esac
	done
	: >/newroot/.switched
	exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# every controller the kernel has, as systemd enables them at the root of a
# v2 machine (runc enables all of them on each cgroup above its own)
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
done
hostname vmtest
# in the order vmtest wrote: a module after those it needs
while read -r m; do insmod "/lib/modules/$m"; done </lib/modules/order

# The steps' output goes to the second serial port, or where the kernel's
# command line says (vmtest_out=/dev/hvc0: arm64's virtio console, whose
# device appears once its module has probed).
out=${vmtest_out:-/dev/ttyS1}
i=0
while [ ! -e "$out" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
exec 3>"$out"

# step NAME DIR CMD...: run CMD in DIR, its output and status framed on fd 3.
step() {
	name=$1 dir=$2
	shift 2
	echo "=== vmtest BEGIN $name" >&3
	(cd "$dir" && exec "$@") </dev/null >&3 2>&3 3>&-
	echo "=== vmtest END $name rc=$?" >&3
}

# The first step shows the hierarchy the others run in, and fails unless it
# is cgroup v2 alone with the five controllers on for the root's children.
cgroup2() {
	echo "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(grep MemTotal /proc/meminfo)"
	echo "cgroup mounts in /proc/mounts:"
	grep cgroup /proc/mounts
	echo "/sys/fs/cgroup/cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo "/sys/fs/cgroup/cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	echo "/proc/self/cgroup: $(cat /proc/self/cgroup)"
	echo "modules loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	ok=0
	if [ "$(grep -c cgroup /proc/mounts)" != 1 ] || ! grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		echo "FAIL: want one cgroup mount, cgroup2 at /sys/fs/cgroup"
		ok=1
	fi
	for c in cpu memory io pids cpuset; do
		case " $(cat /sys/fs/cgroup/cgroup.subtree_control) " in
		*" $c "*) ;;
		*)
			echo "FAIL: $c is not in /sys/fs/cgroup/cgroup.subtree_control"
			ok=1
			;;
		esac
	done
	return $ok
}

echo "=== vmtest BEGIN cgroup2" >&3
cgroup2 >&3 2>&3
echo "=== vmtest END cgroup2 rc=$?" >&3

. /vmtest/plan.sh

echo "=== vmtest DONE" >&3
exec 3>&- # the last close of the tty waits until the UART has sent it all
poweroff -f
