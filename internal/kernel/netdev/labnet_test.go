package netdev

import (
	"errors"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// The reservation's abstract socket is a lock, not a control channel:
// anyone on the machine can name @hood-labnet-172.22.N, so what they send
// there must reach nothing. hood shuts its reading side, and the kernel
// refuses the datagram (EPIPE) instead of queueing it; a stream connect
// finds no listener (a datagram socket is never one).
func TestLabNetSocketTakesNothing(t *testing.T) {
	prefix, hold, err := ReserveLabNet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	addr := &unix.SockaddrUnix{Name: "@hood-labnet-" + prefix}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, []byte("box new x"), 0, addr); !errors.Is(err, unix.EPIPE) {
		t.Errorf("a datagram sent to %s: %v, want EPIPE (refused, not queued)", addr.Name, err)
	}
	if c, err := net.Dial("unix", addr.Name); err == nil {
		c.Close()
		t.Errorf("a stream connect to %s succeeded", addr.Name)
	}
}
