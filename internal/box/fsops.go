package box

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// The box's calls on its own filesystem view: its working directory, its
// root, and the mounts of its mount namespace. Each one is a single call
// the box's C loop makes (boxloop.c), narrated as strace shows it.

// pathArg is path as the box receives it: NUL-terminated, with no NUL inside.
func pathArg(paths ...string) ([]byte, error) {
	var b []byte
	for _, p := range paths {
		if strings.IndexByte(p, 0) >= 0 {
			return nil, fmt.Errorf("path %q contains a NUL byte", p)
		}
		b = append(append(b, p...), 0)
	}
	return b, nil
}

// pathCall makes the box run op on paths with args, and narrates it.
func (b *Box) pathCall(op int32, args [4]int64, paths []string, name string, narrate ...call.Arg) (result.Syscall, error) {
	data, err := pathArg(paths...)
	if err != nil {
		return result.Syscall{}, err
	}
	r, err := b.c.call(op, args, data, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my(name, r, narrate...), nil
}

// UmountFlagString names umount2(2) flags: "MNT_DETACH", or "0".
func UmountFlagString(flags int) string {
	var out []string
	for _, f := range []struct {
		v    int
		name string
	}{{unix.MNT_FORCE, "MNT_FORCE"}, {unix.MNT_DETACH, "MNT_DETACH"}, {unix.MNT_EXPIRE, "MNT_EXPIRE"}, {unix.UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"}} {
		if flags&f.v != 0 {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		return "0"
	}
	return strings.Join(out, "|")
}

// Umount makes the box detach the mount at path (umount2 with MNT_DETACH).
func (b *Box) Umount(path string) (result.Syscall, error) { return b.Umount2(path, unix.MNT_DETACH) }

// Umount2 makes the box call umount2(path, flags).
func (b *Box) Umount2(path string, flags int) (result.Syscall, error) {
	return b.pathCall(opUmount, [4]int64{int64(flags)}, []string{path}, "umount2",
		call.S(path), call.F(int64(flags), UmountFlagString(flags)))
}

// Chdir makes the box change its working directory.
func (b *Box) Chdir(path string) (result.Syscall, error) {
	return b.pathCall(opChdir, [4]int64{}, []string{path}, "chdir", call.S(path))
}

// Fchdir makes the box change its working directory to a directory it holds
// open (a descriptor Open returned); what names it in the narration.
func (b *Box) Fchdir(fd int, what string) (result.Syscall, error) {
	r, err := b.c.call(opFchdir, [4]int64{int64(fd)}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("fchdir", r, call.Fd(fd, what)), nil
}

// Chroot makes the box change its root directory (not its working one).
func (b *Box) Chroot(path string) (result.Syscall, error) {
	return b.pathCall(opChroot, [4]int64{}, []string{path}, "chroot", call.S(path))
}

// PivotRoot makes the box call pivot_root(newRoot, putOld).
func (b *Box) PivotRoot(newRoot, putOld string) (result.Syscall, error) {
	return b.pathCall(opPivotRoot, [4]int64{}, []string{newRoot, putOld}, "pivot_root", call.S(newRoot), call.S(putOld))
}

// Mkdir makes the box create a directory (glibc's mkdir(3) is mkdirat on
// some architectures; the box calls mkdirat, so strace shows that).
func (b *Box) Mkdir(path string, mode uint32) (result.Syscall, error) {
	return b.pathCall(opMkdir, [4]int64{int64(mode)}, []string{path}, "mkdirat", call.Cwd(), call.S(path), call.M(mode))
}

// OpenTreeFlagString names open_tree(2) flags.
func OpenTreeFlagString(flags int) string {
	var out []string
	for _, f := range []struct {
		v    int
		name string
	}{{unix.OPEN_TREE_CLONE, "OPEN_TREE_CLONE"}, {unix.OPEN_TREE_CLOEXEC, "OPEN_TREE_CLOEXEC"}, {unix.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
		{unix.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"}, {unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"}, {unix.AT_RECURSIVE, "AT_RECURSIVE"}} {
		if flags&f.v != 0 {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		return "0"
	}
	return strings.Join(out, "|")
}

// OpenTree makes the box call open_tree(AT_FDCWD, path, flags): with
// OPEN_TREE_CLONE a detached copy of the mount (AT_RECURSIVE: and the
// mounts below it), held by the descriptor returned, which the box keeps
// open (close it with Close).
func (b *Box) OpenTree(path string, flags int) (result.Syscall, error) {
	return b.pathCall(opOpenTree, [4]int64{int64(flags)}, []string{path}, "open_tree",
		call.Cwd(), call.S(path), call.F(int64(flags), OpenTreeFlagString(flags)))
}

// MoveMountFlagString names move_mount(2) flags.
func MoveMountFlagString(flags int) string {
	var out []string
	for _, f := range []struct {
		v    int
		name string
	}{{unix.MOVE_MOUNT_F_SYMLINKS, "MOVE_MOUNT_F_SYMLINKS"}, {unix.MOVE_MOUNT_F_AUTOMOUNTS, "MOVE_MOUNT_F_AUTOMOUNTS"},
		{unix.MOVE_MOUNT_F_EMPTY_PATH, "MOVE_MOUNT_F_EMPTY_PATH"}, {unix.MOVE_MOUNT_T_SYMLINKS, "MOVE_MOUNT_T_SYMLINKS"},
		{unix.MOVE_MOUNT_T_AUTOMOUNTS, "MOVE_MOUNT_T_AUTOMOUNTS"}, {unix.MOVE_MOUNT_T_EMPTY_PATH, "MOVE_MOUNT_T_EMPTY_PATH"}} {
		if flags&f.v != 0 {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		return "0"
	}
	return strings.Join(out, "|")
}

// MoveMount makes the box attach the detached mount held by fd (a
// descriptor of hood's, sent to the box; or, with fd < 0, boxFD, one the box
// holds) at to: move_mount(fd, "", AT_FDCWD, to, MOVE_MOUNT_F_EMPTY_PATH).
// what names the descriptor in the narration.
func (b *Box) MoveMount(fd, boxFD int, to, what string) (result.Syscall, error) {
	data, err := pathArg(to)
	if err != nil {
		return result.Syscall{}, err
	}
	var fds []int
	if fd >= 0 {
		fds = []int{fd}
	}
	flags := unix.MOVE_MOUNT_F_EMPTY_PATH
	r, err := b.c.call(opMoveMount, [4]int64{int64(flags), int64(boxFD)}, data, fds)
	if err != nil {
		return result.Syscall{}, err
	}
	// The box replies with the descriptor number it called move_mount with.
	return b.my("move_mount", r, call.Fd(int(r.Aux[0]), what), call.S(""), call.Cwd(), call.S(to),
		call.F(int64(flags), MoveMountFlagString(flags))), nil
}

// Prctl makes the box call prctl(option, arg2, arg3, arg4, 0); the args
// narrate it as strace shows it (call.F for PR_* names, call.I for
// numbers), option first.
func (b *Box) Prctl(option, arg2, arg3, arg4 uint64, narrate ...call.Arg) (result.Syscall, error) {
	r, err := b.c.call(opPrctl, [4]int64{int64(option), int64(arg2), int64(arg3), int64(arg4)}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("prctl", r, narrate...), nil
}

// Seccomp makes the box install prog on itself with
// seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog): from then on every call
// the box and what it starts make goes through the filter. It cannot be
// taken off.
func (b *Box) Seccomp(flags uint, prog []unix.SockFilter) (result.Syscall, error) {
	data := make([]byte, 0, 8*len(prog))
	for _, f := range prog {
		data = binary.NativeEndian.AppendUint16(data, f.Code)
		data = append(data, f.Jt, f.Jf)
		data = binary.NativeEndian.AppendUint32(data, f.K)
	}
	r, err := b.c.call(opSeccomp, [4]int64{int64(flags)}, data, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("seccomp", r, call.F(unix.SECCOMP_SET_MODE_FILTER, "SECCOMP_SET_MODE_FILTER"), call.F(int64(flags), SeccompFlagString(flags)),
		call.P(fmt.Sprintf("{len=%d, filter=%#x}", len(prog), r.Aux[1]))), nil
}

// SeccompFlagString names SECCOMP_FILTER_FLAG_* bits; "0" for none.
func SeccompFlagString(flags uint) string {
	if flags == 0 {
		return "0"
	}
	var names []string
	for _, f := range []struct {
		bit  uint
		name string
	}{{unix.SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"}, {unix.SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG"},
		{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, "|")
}
