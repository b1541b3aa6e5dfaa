package netdev

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// PingReport is what the ping probe did: every call it made, with the
// kernel's answers, and the echo replies it got.
type PingReport struct {
	Calls    []call.Call
	Sent     int
	Received int
	RTTs     []float64 // milliseconds, one per reply
	Errno    string    // the errno that stopped it (socket or sendto), or ""
	// Interrupted: Ctrl-C (SIGINT) stopped it before count requests, as
	// it stops ping(8), which then prints what it got.
	Interrupted bool
}

// PingProbe is the body of the ping probe, run in a box's child (so in the
// box's network namespace, with its credentials): count ICMP echo requests
// to addr on a raw socket, waiting up to wait for each reply. The report
// goes to w as one JSON object; the exit status is 0 unless the arguments
// were bad.
func PingProbe(addr string, count int, wait time.Duration, w io.Writer) int {
	ip := net.ParseIP(addr).To4()
	if ip == nil || count < 1 {
		fmt.Fprintln(w, "go-ping: bad arguments")
		return 2
	}
	var rep PingReport
	defer func() { _ = json.NewEncoder(w).Encode(rep) }()
	var stop atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	go func() { <-sigs; stop.Store(true) }()
	add := func(c call.Call) { rep.Calls = append(rep.Calls, c) }
	// A raw socket: CAP_NET_RAW in the user namespace that owns the
	// network namespace. (A datagram ICMP socket would need the group in
	// net.ipv4.ping_group_range instead.)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	add(call.New("", 0, "socket", int64(fd), err, call.F(unix.AF_INET, "AF_INET"),
		call.F(unix.SOCK_RAW, "SOCK_RAW"), call.F(unix.IPPROTO_ICMP, "IPPROTO_ICMP")))
	if err != nil {
		rep.Errno = unix.ErrnoName(call.ErrnoOf(err))
		return 0
	}
	sock := call.Fd(fd, "socket:ICMP")
	tv := unix.NsecToTimeval(wait.Nanoseconds())
	err = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	c := call.New("", 0, "setsockopt", 0, err, sock, call.F(unix.SOL_SOCKET, "SOL_SOCKET"),
		call.F(unix.SO_RCVTIMEO, "SO_RCVTIMEO"), call.P(fmt.Sprintf("{tv_sec=%d, tv_usec=%d}", tv.Sec, tv.Usec)), call.I(16))
	c.Quiet = true
	add(c)
	id := os.Getpid() & 0xffff
	to := &unix.SockaddrInet4{}
	copy(to.Addr[:], ip)
	for seq := 1; seq <= count; seq++ {
		if stop.Load() {
			rep.Interrupted = true
			break
		}
		m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("hood ping")}}
		b, _ := m.Marshal(nil)
		start := time.Now()
		err := unix.Sendto(fd, b, 0, to)
		ret := int64(len(b))
		add(call.New("", 0, "sendto", ret, err, sock, call.P(fmt.Sprintf("ICMP_ECHO{id=%d, seq=%d}", id, seq)),
			call.I(int64(len(b))), call.I(0), call.P(fmt.Sprintf("{sa_family=AF_INET, sin_addr=%s}", ip)), call.I(16)))
		if err != nil {
			rep.Errno = unix.ErrnoName(call.ErrnoOf(err))
			break
		}
		rep.Sent++
		if rtt, ok := awaitReply(fd, sock, id, seq, ip, start, wait, add); ok {
			rep.Received++
			rep.RTTs = append(rep.RTTs, rtt)
		}
	}
	add(call.New("", 0, "close", 0, unix.Close(fd), sock))
	return 0
}

// awaitReply reads ICMP messages until the echo reply to (id, seq) from ip
// arrives, a read times out (EAGAIN after SO_RCVTIMEO) or wait has passed
// since the request went out. A raw socket
// sees every ICMP message the namespace receives, with its IP header.
func awaitReply(fd int, sock call.Arg, id, seq int, ip net.IP, start time.Time, wait time.Duration, add func(call.Call)) (float64, bool) {
	buf := make([]byte, 1500)
	for i := 0; i < 16 && time.Since(start) < wait; i++ {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		c := call.New("", 0, "recvfrom", int64(n), err, sock, call.P("&buf"), call.I(int64(len(buf))), call.I(0),
			call.P("&from"), call.P("&fromlen"))
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				c.RetNote = "(no reply within the timeout)"
			}
			add(c)
			return 0, false
		}
		src, _ := from.(*unix.SockaddrInet4)
		ihl := int(buf[0]&0x0f) * 4
		if n < ihl+8 {
			add(c)
			continue
		}
		m, perr := icmp.ParseMessage(1, buf[ihl:n])
		if perr != nil {
			add(c)
			continue
		}
		e, isEcho := m.Body.(*icmp.Echo)
		if m.Type == ipv4.ICMPTypeEchoReply && isEcho && e.ID == id && e.Seq == seq && src != nil && net.IP(src.Addr[:]).Equal(ip) {
			rtt := float64(time.Since(start).Microseconds()) / 1000
			c.RetNote = fmt.Sprintf("(echo reply from %s, seq=%d, %.3f ms)", ip, seq, rtt)
			add(c)
			return rtt, true
		}
		c.RetNote = fmt.Sprintf("(%v, not the reply awaited)", m.Type)
		add(c)
	}
	return 0, false
}
