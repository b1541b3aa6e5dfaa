package nft

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

// The rule does what it says: in a namespace of its own (lo only, no
// packet can leave it), an ICMP echo to 127.0.0.1 comes back to a raw
// socket before the rule and not after (raw sockets get packets after the
// input hook).
func TestDropStopsICMP(t *testing.T) {
	testenv.Root(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestPingerHelper$")
	cmd.Env = append(os.Environ(), "HOOD_NFT_PINGER=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	out := bufio.NewScanner(outPipe)
	ping := func() string {
		fmt.Fprintln(in, "ping")
		for out.Scan() {
			if l := out.Text(); strings.HasPrefix(l, "pinger: ") {
				return strings.TrimPrefix(l, "pinger: ")
			}
		}
		return "(pinger ended)"
	}
	if got := ping(); got != "reply" {
		t.Fatalf("before the rule: %s, want reply", got)
	}
	c, _, err := OpenNS("/proc", cmd.Process.Pid, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Drop("icmp"); err != nil {
		t.Fatal(err)
	}
	if got := ping(); got != "timeout" {
		t.Errorf("after the rule: %s, want timeout", got)
	}
	if _, err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if got := ping(); got != "reply" {
		t.Errorf("after the table is removed: %s, want reply", got)
	}
}

// TestPingerHelper is the process in the new namespace: it sets lo up and
// answers each "ping" line with whether an ICMP packet came back.
func TestPingerHelper(t *testing.T) {
	if os.Getenv("HOOD_NFT_PINGER") != "1" {
		t.Skip("the helper process of TestDropStopsICMP")
	}
	if err := loUp(); err != nil {
		fmt.Println("pinger: lo:", err)
		return
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Println("pinger: " + echo())
	}
}

func loUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// echo sends one ICMP echo request to 127.0.0.1 on a raw socket and waits
// half a second for any ICMP packet to arrive on it.
func echo() string {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
	if err != nil {
		return "socket: " + err.Error()
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(500 * time.Millisecond))
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	msg := []byte{8, 0, 0, 0, 0x12, 0x34, 0, 1} // type 8 (echo), code 0, checksum, id, seq
	sum := uint32(0)
	for i := 0; i < len(msg); i += 2 {
		sum += uint32(msg[i])<<8 | uint32(msg[i+1])
	}
	sum = (sum >> 16) + (sum & 0xffff)
	cs := ^uint16(sum)
	msg[2], msg[3] = byte(cs>>8), byte(cs)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return "sendto: " + err.Error()
	}
	buf := make([]byte, 1500)
	if _, _, err := unix.Recvfrom(fd, buf, 0); err != nil {
		if err == unix.EAGAIN {
			return "timeout"
		}
		return "recvfrom: " + err.Error()
	}
	return "reply"
}
