package box

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Request codes and flags, as in boxproto.h.
const (
	opUnshare     = 1
	opSetns       = 2
	opSethostname = 3
	opUname       = 4
	opMount       = 5
	opSpawn       = 6
	opForkInit    = 7
	opWait        = 8
	opExit        = 9
	opHasChild    = 10
	opReadFile    = 11
	opSetID       = 12
	opUmount      = 13
	opOpen        = 14
	opClose       = 15
	opChdir       = 16
	opFchdir      = 17
	opChroot      = 18
	opPivotRoot   = 19
	opOpenTree    = 20
	opMoveMount   = 21
	opMkdir       = 22
	opPrctl       = 23
	opCapset      = 24
	opSeccomp     = 25
	opWriteFile   = 26
	opSocket      = 27

	spawnForeground = 1
	spawnSelf       = 2
	spawnFD         = 4
	initMountProc   = 1

	maxData = 65536
	reqSize = 8 + 4*8 // struct boxreq
	repSize = 8 + 8 + 2*8
)

// ErrGone is returned when the box process no longer answers.
var ErrGone = errors.New("the box process is gone")

// reply is the box's answer to one request: the syscall's return value and
// errno exactly as the kernel gave them.
type reply struct {
	Ret   int64
	Errno syscall.Errno
	Aux   [2]int64
	Data  []byte
}

// ErrFrozen is returned instead of asking a box whose cgroup is frozen: it
// could not answer, and hood would wait for ever.
var ErrFrozen = errors.New("the box is frozen (cgroup freeze) and cannot answer until it is thawed: `cgroup thaw` first")

type conn struct {
	mu     sync.Mutex
	fd     int
	frozen atomic.Bool
}

// call sends one request and waits for its reply.
func (c *conn) call(op int32, args [4]int64, data []byte, fds []int) (reply, error) {
	if c.frozen.Load() {
		return reply{}, ErrFrozen
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.callLocked(op, args, data, fds)
}

// errBusy: the box is serving another request (a `run` waiting for its
// program), so it cannot answer now.
var errBusy = errors.New("the box is busy")

// tryCall is call for a caller that must not wait behind another request,
// such as the signal handler killing boxes while a `run` is waiting.
func (c *conn) tryCall(op int32, args [4]int64) (reply, error) {
	if c.frozen.Load() {
		return reply{}, ErrFrozen
	}
	if !c.mu.TryLock() {
		return reply{}, errBusy
	}
	defer c.mu.Unlock()
	return c.callLocked(op, args, nil, nil)
}

func (c *conn) callLocked(op int32, args [4]int64, data []byte, fds []int) (reply, error) {
	if c.fd < 0 {
		return reply{}, ErrGone
	}
	if len(data) > maxData {
		return reply{}, fmt.Errorf("request too large (%d bytes, at most %d)", len(data), maxData)
	}
	msg := make([]byte, reqSize+len(data))
	binary.NativeEndian.PutUint32(msg[0:], uint32(op))
	for i, a := range args {
		binary.NativeEndian.PutUint64(msg[8+8*i:], uint64(a))
	}
	copy(msg[reqSize:], data)
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	for {
		err := unix.Sendmsg(c.fd, msg, oob, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return reply{}, fmt.Errorf("%w (send: %v)", ErrGone, err)
		}
		break
	}
	buf := make([]byte, repSize+maxData)
	var n int
	for {
		var err error
		n, _, _, _, err = unix.Recvmsg(c.fd, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return reply{}, fmt.Errorf("%w (receive: %v)", ErrGone, err)
		}
		break
	}
	if n < repSize {
		return reply{}, ErrGone
	}
	r := reply{
		Ret:   int64(binary.NativeEndian.Uint64(buf[0:])),
		Errno: syscall.Errno(binary.NativeEndian.Uint32(buf[8:])),
		Aux: [2]int64{
			int64(binary.NativeEndian.Uint64(buf[16:])),
			int64(binary.NativeEndian.Uint64(buf[24:])),
		},
		Data: append([]byte(nil), buf[repSize:n]...),
	}
	return r, nil
}

// close shuts the socket down, which also wakes a request waiting for a
// reply, and closes it once no request holds it.
func (c *conn) close() {
	if c.mu.TryLock() {
		defer c.mu.Unlock()
		if c.fd >= 0 {
			unix.Close(c.fd)
			c.fd = -1
		}
		return
	}
	_ = unix.Shutdown(c.fd, unix.SHUT_RDWR)
}

// newSocketPair returns hood's end and the box's end of the request socket.
func newSocketPair() (int, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, fmt.Errorf("socketpair: %w", err)
	}
	return fds[0], os.NewFile(uintptr(fds[1]), "box-socket"), nil
}
