package devbpf

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// The bpf(2) calls, made plainly: bpf(cmd, &attr, size). Each attr below
// is the part of union bpf_attr its command reads, padded to the whole
// union: the kernel writes some answers (BPF_PROG_QUERY's revision) past
// the size it is given.

// ProgName is the name hood gives its programs (BPF_OBJ_NAME_LEN is 16
// with the NUL), so that `devices ls` can tell them from another's.
const ProgName = "hood_devices"

const attrPad = 160 // > sizeof(union bpf_attr) of the fields used here

type loadAttr struct {
	progType, insnCnt   uint32
	insns, license      uint64
	logLevel, logSize   uint32
	logBuf              uint64
	kernVersion, flags  uint32
	name                [16]byte
	ifindex, attachType uint32
	_                   [attrPad - 72]byte
}

type attachAttr struct {
	targetFD, progFD, attachType, flags uint32
	_                                   [attrPad - 16]byte
}

type queryAttr struct {
	targetFD, attachType, queryFlags, attachFlags uint32
	progIDs                                       uint64
	progCnt                                       uint32
	_                                             [attrPad - 28]byte
}

type getFDAttr struct {
	id, nextID, openFlags uint32
	_                     [attrPad - 12]byte
}

type infoAttr struct {
	fd, infoLen uint32
	info        uint64
	_           [attrPad - 16]byte
}

// progInfo is struct bpf_prog_info up to its name.
type progInfo struct {
	typ, id             uint32
	tag                 [8]byte
	jitedLen, xlatedLen uint32
	jitedInsns, xlated  uint64
	loadTime            uint64
	uid, nrMapIDs       uint32
	mapIDs              uint64
	name                [16]byte
}

var cmdNames = map[int]string{
	unix.BPF_PROG_LOAD: "BPF_PROG_LOAD", unix.BPF_PROG_ATTACH: "BPF_PROG_ATTACH",
	unix.BPF_PROG_DETACH: "BPF_PROG_DETACH", unix.BPF_PROG_QUERY: "BPF_PROG_QUERY",
	unix.BPF_PROG_GET_FD_BY_ID: "BPF_PROG_GET_FD_BY_ID", unix.BPF_OBJ_GET_INFO_BY_FD: "BPF_OBJ_GET_INFO_BY_FD",
}

// bpf makes one call and narrates it; fields is the attr as narrated,
// "{field=value, ...}" in the order strace prints them.
func bpf(cmd int, attr unsafe.Pointer, size uintptr, fields string) (int, call.Call, error) {
	r, _, e := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	var err error
	ret := int64(r)
	if e != 0 {
		err, ret = e, -1
	}
	c := call.New("hood", os.Getpid(), "bpf", ret, err,
		call.F(int64(cmd), cmdNames[cmd]), call.P(fields), call.I(int64(size)))
	return int(r), c, err
}

// Load loads insns as a cgroup device program and returns its fd.
func Load(insns []byte) (int, call.Call, error) {
	if len(insns) == 0 || len(insns)%8 != 0 {
		return -1, call.Call{}, fmt.Errorf("a program is whole 8-byte instructions, not %d bytes", len(insns))
	}
	insns = onHeap(insns)
	lic := &license
	a := loadAttr{progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE, insnCnt: uint32(len(insns) / 8),
		insns: uint64(uintptr(unsafe.Pointer(&insns[0]))), license: uint64(uintptr(unsafe.Pointer(&lic[0]))),
		attachType: unix.BPF_CGROUP_DEVICE}
	copy(a.name[:], ProgName)
	f := fmt.Sprintf(`{prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=%d, insns=&program, license="GPL", prog_name=%q, expected_attach_type=BPF_CGROUP_DEVICE}`, a.insnCnt, ProgName)
	fd, c, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&a), 72, f)
	keep(insns, lic)
	if err == nil {
		c.RetNote = "(the program's fd)"
	}
	return fd, c, err
}

// Attach attaches the program prog to the cgroup directory cg, beside any
// programs already there (BPF_F_ALLOW_MULTI).
func Attach(cg, prog int) (call.Call, error) {
	a := attachAttr{targetFD: uint32(cg), progFD: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE, flags: unix.BPF_F_ALLOW_MULTI}
	f := fmt.Sprintf("{target_fd=%d, attach_bpf_fd=%d, attach_type=BPF_CGROUP_DEVICE, attach_flags=BPF_F_ALLOW_MULTI}", cg, prog)
	_, c, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&a), 16, f)
	return c, err
}

// Detach detaches the program prog from the cgroup directory cg.
func Detach(cg, prog int) (call.Call, error) {
	a := attachAttr{targetFD: uint32(cg), progFD: uint32(prog), attachType: unix.BPF_CGROUP_DEVICE}
	f := fmt.Sprintf("{target_fd=%d, attach_bpf_fd=%d, attach_type=BPF_CGROUP_DEVICE}", cg, prog)
	_, c, err := bpf(unix.BPF_PROG_DETACH, unsafe.Pointer(&a), 12, f)
	return c, err
}

// Query lists the ids of the device programs attached to the cgroup
// directory cg itself, or, effective, of every program that applies to
// it: its own first, then its parents' (query_flags
// BPF_F_QUERY_EFFECTIVE).
func Query(cg int, effective bool) ([]uint32, []call.Call, error) {
	ids := make([]uint32, 64) // returned, so on the heap (see infoSink)
	a := queryAttr{targetFD: uint32(cg), attachType: unix.BPF_CGROUP_DEVICE,
		progIDs: uint64(uintptr(unsafe.Pointer(&ids[0]))), progCnt: uint32(len(ids))}
	flags := "0"
	if effective {
		a.queryFlags, flags = unix.BPF_F_QUERY_EFFECTIVE, "BPF_F_QUERY_EFFECTIVE"
	}
	f := fmt.Sprintf("{query={target_fd=%d, attach_type=BPF_CGROUP_DEVICE, query_flags=%s, prog_ids=&ids, prog_cnt=%d}}", cg, flags, len(ids))
	_, c, err := bpf(unix.BPF_PROG_QUERY, unsafe.Pointer(&a), 28, f)
	keep(ids)
	if err != nil {
		return nil, []call.Call{c}, err
	}
	// The kernel wrote how many it put in prog_ids back to prog_cnt:
	// strace shows that as "64 => 1".
	c.Args[1] = call.P(strings.TrimSuffix(f, "}}") + fmt.Sprintf(" => %d}}", a.progCnt))
	return ids[:min(int(a.progCnt), len(ids))], []call.Call{c}, nil
}

// FDByID opens the program with this id.
func FDByID(id uint32) (int, call.Call, error) {
	a := getFDAttr{id: id}
	fd, c, err := bpf(unix.BPF_PROG_GET_FD_BY_ID, unsafe.Pointer(&a), 12, fmt.Sprintf("{prog_id=%d, next_id=0, open_flags=0}", id))
	if err == nil {
		c.RetNote = "(the program's fd)"
	}
	return fd, c, err
}

// Info is what BPF_OBJ_GET_INFO_BY_FD tells of a program.
type Info struct {
	ID     uint32
	Name   string
	Xlated []byte // the instructions as the verifier left them
}

// ProgInfo reads a program's id and name and, with insns, its
// instructions: one call for their length, one with room for them.
func ProgInfo(fd int, insns bool) (Info, []call.Call, error) {
	var calls []call.Call
	pi := new(progInfo)
	infoSink.Store(pi) // on the heap, which does not move: see infoSink
	get := func(what string) error {
		a := infoAttr{fd: uint32(fd), infoLen: uint32(unsafe.Sizeof(*pi)), info: uint64(uintptr(unsafe.Pointer(pi)))}
		f := fmt.Sprintf("{info={bpf_fd=%d, info_len=%d, info=&%s}}", fd, a.infoLen, what)
		_, c, err := bpf(unix.BPF_OBJ_GET_INFO_BY_FD, unsafe.Pointer(&a), 16, f)
		calls = append(calls, c)
		return err
	}
	if err := get("bpf_prog_info"); err != nil {
		return Info{}, calls, err
	}
	calls[0].RetNote = fmt.Sprintf("(id=%d, xlated_prog_len=%d)", pi.id, pi.xlatedLen)
	info := Info{ID: pi.id, Name: unix.ByteSliceToString(pi.name[:])}
	n := pi.xlatedLen
	if n == 0 || !insns {
		return info, calls, nil
	}
	buf := make([]byte, n)
	*pi = progInfo{xlatedLen: n, xlated: uint64(uintptr(unsafe.Pointer(&buf[0])))}
	err := get(fmt.Sprintf("{xlated_prog_len=%d, xlated_prog_insns=&buf}", n))
	keep(buf)
	if err != nil {
		return info, calls, err
	}
	info.Xlated = buf[:min(pi.xlatedLen, n)]
	return info, calls, nil
}

// Memory whose address goes to the kernel inside an attr (as a number,
// not a pointer) must not be on the goroutine's stack, which Go moves
// when it grows, leaving the number pointing at the old place (a call to
// fmt between filling the attr and the syscall is enough). The heap does
// not move: the license is a global, the program is copied there
// (onHeap), the ids and instructions buffers are returned to the caller,
// and the prog info is stored in infoSink.
var infoSink atomic.Pointer[progInfo]

var bytesSink atomic.Pointer[[]byte]

// onHeap is a copy of b that is surely on the heap (stored in a global).
func onHeap(b []byte) []byte {
	c := append([]byte(nil), b...)
	bytesSink.Store(&c)
	return c
}

var license = [4]byte{'G', 'P', 'L', 0}

// keep holds memory the kernel read or wrote through a uint64 address
// until the call is done (the GC does not see those as pointers).
func keep(v ...any) { runtime.KeepAlive(v) }
