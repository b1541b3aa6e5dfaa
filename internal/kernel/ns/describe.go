package ns

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// passwdPath is where List looks up user names; tests point it elsewhere.
var passwdPath = "/etc/passwd"

// maxCmdline caps how much of a command line List reads. lsns reads BUFSIZ
// (8192) bytes and so do we.
const maxCmdline = 8192

// description is what List shows of the process that describes a
// namespace.
type description struct {
	user, command string
}

// describer reads descriptions; one per goroutine, for its buffer.
type describer struct {
	procfd int
	users  map[uint32]string // from /etc/passwd
	buf    []byte
}

func (d *describer) describe(pid int32) description {
	dir := strconv.Itoa(int(pid))
	var desc description
	var st unix.Stat_t
	if err := unix.Fstatat(d.procfd, dir, &st, 0); err == nil {
		desc.user = d.userName(st.Uid)
	}
	desc.command = d.command(dir)
	return desc
}

// command is what lsns shows in its COMMAND column: the command line with
// its NUL separators as spaces, or, for a kernel thread, whose command line
// is empty, the name in /proc/PID/comm. It is empty if the process is gone.
func (d *describer) command(dir string) string {
	n := d.readFile(dir + "/cmdline")
	if n > 0 {
		b := d.buf[:n]
		if b[n-1] == 0 {
			b = b[:n-1]
		}
		for i, c := range b {
			if c == 0 {
				b[i] = ' '
			}
		}
		return string(b)
	}
	n = d.readFile(dir + "/comm")
	return string(bytes.TrimSuffix(d.buf[:n], []byte("\n")))
}

// readFile reads up to len(d.buf) bytes of a file under /proc into d.buf.
func (d *describer) readFile(name string) int {
	fd, err := unix.Openat(d.procfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	n := 0
	for n < len(d.buf) {
		m, err := unix.Read(fd, d.buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return n
}

// userName maps a uid to a name from /etc/passwd, read once per List; the
// number stands in when there is no entry, as in lsns. Reading the file
// rather than asking getpwuid(3) means names from NSS modules such as LDAP
// are not shown.
func (d *describer) userName(uid uint32) string {
	if name, ok := d.users[uid]; ok {
		return name
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// readPasswd maps uids to names. Each line of passwd(5) is
//
//	root:x:0:0:root:/root:/bin/bash
//	└┬─┘ │ │ └─── gid, gecos, home, shell: ignored
//	 │   │ └ uid
//	 │   └ password (x: in /etc/shadow)
//	 └ name
//
// The first line for a uid wins, as with getpwuid(3). An unreadable file
// gives an empty map: every user is then shown by number.
func readPasswd(path string) map[uint32]string {
	users := make(map[uint32]string)
	data, err := os.ReadFile(path)
	if err != nil {
		return users
	}
	for line := range bytes.Lines(data) {
		f := bytes.SplitN(bytes.TrimRight(line, "\r\n"), []byte(":"), 4)
		if len(f) < 4 || len(f[0]) == 0 || f[0][0] == '#' {
			continue
		}
		uid, err := strconv.ParseUint(string(f[2]), 10, 32)
		if err != nil {
			continue
		}
		if _, dup := users[uint32(uid)]; !dup {
			users[uint32(uid)] = string(f[0])
		}
	}
	return users
}
