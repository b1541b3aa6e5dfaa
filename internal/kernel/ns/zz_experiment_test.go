package ns

import (
	"strconv"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func scanB(procfd int, pids []int32) tally {
	t := tally{index: make(map[uint64]int32, 256), counts: make([]count, 0, 256)}
	path := make([]byte, 0, 64)
	target := make([]byte, 64)
	for _, pid := range pids {
		path = strconv.AppendInt(path[:0], int64(pid), 10)
		path = append(path, "/ns\x00"...)
		r, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(procfd), uintptr(unsafe.Pointer(&path[0])), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_PATH, 0, 0, 0)
		if e != 0 {
			continue
		}
		fd := int(r)
		for ti, name := range linkNames {
			n, err := readlinkat(fd, name, target)
			if err != nil {
				continue
			}
			ino, ok := inodeOf(target[:n], name[:len(name)-1])
			if !ok {
				continue
			}
			t.add(ino, uint8(ti), pid)
		}
		unix.Close(fd)
	}
	return t
}

func benchScan(b *testing.B, f func(int, []int32) tally) {
	procfd, _ := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	defer unix.Close(procfd)
	pids, _ := readPIDs(procfd)
	b.ResetTimer()
	for b.Loop() {
		f(procfd, pids)
	}
}

func BenchmarkScanA(b *testing.B) { benchScan(b, scanLinks) }
func BenchmarkScanB(b *testing.B) { benchScan(b, scanB) }
func BenchmarkReadPIDs(b *testing.B) {
	procfd, _ := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	for b.Loop() {
		unix.Seek(procfd, 0, 0)
		readPIDs(procfd)
	}
}
func BenchmarkListX(b *testing.B) {
	for b.Loop() {
		List("/proc")
	}
}

func scanPar(procfd int, pids []int32) tally {
	workers := 2
	tallies := make([]tally, workers)
	done := make(chan bool)
	for w := range workers {
		lo, hi := w*len(pids)/workers, (w+1)*len(pids)/workers
		go func() { tallies[w] = scanLinks(procfd, pids[lo:hi]); done <- true }()
	}
	<-done
	<-done
	return tallies[0]
}
func BenchmarkScanPar(b *testing.B) { benchScan(b, scanPar) }
func BenchmarkReadlinkOne(b *testing.B) {
	procfd, _ := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	p := []byte("1035/ns/uts\x00")
	buf := make([]byte, 64)
	for b.Loop() {
		readlinkat(procfd, p, buf)
	}
}
func BenchmarkGetpid(b *testing.B) {
	for b.Loop() {
		unix.Getppid()
	}
}
