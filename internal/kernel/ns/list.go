package ns

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// Namespace is one line of a host-wide listing, with the columns and JSON
// names of lsns(8)'s default output (`lsns --json`).
type Namespace struct {
	Inode   uint64 `json:"ns"`
	Type    string `json:"type"`
	NProcs  int    `json:"nprocs"`  // processes whose TYPE link names this namespace
	PID     int    `json:"pid"`     // the lowest of them
	User    string `json:"user"`    // owner of /proc/PID, by name when /etc/passwd has one
	Command string `json:"command"` // PID's command line, or its comm for kernel threads
}

// List finds every namespace that some process is in, the way lsns(8) from
// util-linux 2.38 does: it reads the eight TYPE links (not the
// *_for_children ones) of every /proc/PID, counts processes per namespace
// and describes each namespace by its lowest PID. Processes that exit during
// the scan and links that cannot be read (pid 1's, even for root, in some
// sandboxes) are skipped, as lsns skips them. Namespaces that no process is
// in, kept alive only by a bind mount or an open descriptor, are not found;
// lsns 2.38 does not show them either.
//
// The result is sorted by inode, as lsns sorts.
//
// lsns spends its time in lists it searches once per process and namespace;
// List keeps a map, reads links into reused buffers with readlinkat(2)
// relative to one open /proc, and reads USER and COMMAND only for the one
// process that describes each namespace.
func List(procRoot string) ([]Namespace, error) {
	procfd, err := unix.Open(procRoot, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", procRoot, err)
	}
	defer unix.Close(procfd)

	pids, err := readPIDs(procfd)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", procRoot, err)
	}

	// Both phases are nearly all syscalls, so they split well across
	// CPUs. Each worker scanning links tallies into its own map; the maps
	// are merged.
	tallies := make([]tally, workersFor(len(pids)))
	inParallel(len(pids), len(tallies), func(w, lo, hi int) {
		tallies[w] = scanLinks(procfd, pids[lo:hi])
	})
	all := tallies[0]
	for _, t := range tallies[1:] {
		all.merge(t)
	}

	// One process often describes many namespaces (pid 2 all the host's),
	// so describe each chosen process once.
	var chosen []int32
	descIndex := make(map[int32]int)
	for _, c := range all.counts {
		if _, ok := descIndex[c.pid]; !ok {
			descIndex[c.pid] = len(chosen)
			chosen = append(chosen, c.pid)
		}
	}
	users := readPasswd(passwdPath)
	descs := make([]description, len(chosen))
	inParallel(len(chosen), workersFor(len(chosen)), func(_, lo, hi int) {
		d := describer{procfd: procfd, users: users, buf: make([]byte, maxCmdline)}
		for i := lo; i < hi; i++ {
			descs[i] = d.describe(chosen[i])
		}
	})

	out := make([]Namespace, 0, len(all.counts))
	for ino, i := range all.index {
		c := all.counts[i]
		d := descs[descIndex[c.pid]]
		out = append(out, Namespace{
			Inode:   ino,
			Type:    Types[c.typ].Name,
			NProcs:  int(c.nprocs),
			PID:     int(c.pid),
			User:    d.user,
			Command: d.command,
		})
	}
	slices.SortFunc(out, func(a, b Namespace) int {
		return cmp.Or(cmp.Compare(a.Inode, b.Inode), cmp.Compare(a.Type, b.Type))
	})
	return out, nil
}

// workersFor says how many goroutines share n processes: one per CPU, but
// at least a few hundred processes each, below which starting a goroutine
// costs more than it saves.
func workersFor(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), 8, n/200))
}

// inParallel calls fn for workers contiguous parts [lo, hi) of [0, n), each
// in its own goroutine, and waits for them.
func inParallel(n, workers int, fn func(w, lo, hi int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}
