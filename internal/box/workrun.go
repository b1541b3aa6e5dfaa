package box

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hood/internal/result"
)

// runWorkload starts hood's binary in the box as the workload args[0],
// reads its result lines while it runs, and waits for it.
func (b *Box) runWorkload(stdio Stdio, args ...string) (*Workload, error) {
	rd, wr, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	files, closeNull, err := stdFiles(stdio, wr)
	if err != nil {
		wr.Close()
		return nil, err
	}
	defer closeNull()
	var flags int64 = spawnSelf
	if stdio.Foreground {
		flags |= spawnForeground
	}
	argv := append([]string{"hood-probe"}, args...)
	sp, err := b.spawnFiles(argv, []string{"HOOD_PROBE=1"}, files, flags)
	wr.Close()
	if err != nil {
		return nil, err
	}
	w := &Workload{Spawned: sp, Values: map[string]string{"name": args[0]}}
	if sp.Fork.Failed() {
		return w, nil
	}
	// Read while it runs: it must never block on a full pipe, and what it
	// said before a SIGKILL is still in the pipe.
	values, done := readResults(rd)
	st, waited, werr := b.Wait(sp)
	// The pipe closes when the workload is gone, unless something it left
	// holds it: do not wait for that.
	_ = rd.SetReadDeadline(time.Now().Add(2 * time.Second))
	<-done
	w.Values = values
	w.Values["name"] = args[0]
	if sp.ExecFails {
		return w, fmt.Errorf("starting the %s workload in %s failed: %s", args[0], b.Name, sp.Exec.ErrName())
	}
	if werr != nil {
		return w, werr
	}
	w.Status = st
	w.NSPID, _ = strconv.Atoi(values["pid"])
	w.Waitpid = waited
	return w, w.settle(b, args)
}

// stdFiles are the workload's descriptors 0 to 3: stdio's, /dev/null for
// those it leaves nil, and wr. closeNull closes /dev/null, once it was
// opened.
func stdFiles(stdio Stdio, wr *os.File) (files []*os.File, closeNull func(), err error) {
	var null *os.File
	closeNull = func() {}
	files = []*os.File{stdio.Stdin, stdio.Stdout, stdio.Stderr, wr}
	for i := range 3 {
		if files[i] != nil {
			continue
		}
		if null == nil {
			if null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
				return nil, closeNull, err
			}
			closeNull = func() { null.Close() }
		}
		files[i] = null
	}
	return files, closeNull, nil
}

// readResults collects the KEY=VALUE fields of the result lines on rd
// until it closes or its deadline passes; done closes then.
func readResults(rd *os.File) (values map[string]string, done chan struct{}) {
	values = map[string]string{}
	done = make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(rd)
		for sc.Scan() {
			rest, ok := strings.CutPrefix(sc.Text(), resultPrefix)
			if !ok {
				continue
			}
			for _, f := range strings.Fields(rest) {
				if k, v, ok := strings.Cut(f, "="); ok {
					values[k] = v
				}
			}
		}
	}()
	return values, done
}

// settle reads how the workload args ended from its exit status and what
// it reported: the call that failed, or an error when it refused its
// arguments or failed without saying why.
func (w *Workload) settle(b *Box, args []string) error {
	code := -1
	if w.Status.Exited() {
		code = w.Status.ExitStatus()
	}
	values := w.Values
	switch {
	case code == exitFailed && values["failed"] != "":
		e := syscall.Errno(w.intValue("errno"))
		w.Failed = &result.Syscall{Who: w.who(b), PID: w.PID, Name: values["failed"], Ret: -1, Errno: e}
		if e == 0 { // a write(2) that returned 0: no error, no progress
			w.Failed.Ret = w.intValue("ret")
		}
		if values["failed"] == "malloc" || values["failed"] == "realpath" {
			w.Failed.Lib = true
		}
	case code == exitRefused && values["refused"] != "":
	case code == exitBadRequest:
		return fmt.Errorf("the %s workload in %s refused its arguments %q", args[0], b.Name, args[1:])
	case code > 0:
		return fmt.Errorf("the %s workload in %s %s without saying why", args[0], b.Name, w.How())
	}
	return nil
}

// spawnFiles is spawn with a fourth descriptor, which the child gets as
// its fd 3 (boxproto.h, BOX_SPAWN).
func (b *Box) spawnFiles(argv, env []string, files []*os.File, flags int64) (Spawned, error) {
	var payload []byte
	for _, s := range append(append([]string(nil), argv...), env...) {
		if strings.IndexByte(s, 0) >= 0 {
			return Spawned{}, fmt.Errorf("argument %q contains a NUL byte", s)
		}
		payload = append(append(payload, s...), 0)
	}
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	b.forked = true
	r, err := b.c.call(opSpawn, [4]int64{flags, int64(len(argv))}, payload, fds)
	if err != nil {
		return Spawned{}, err
	}
	s := Spawned{fg: flags&spawnForeground != 0}
	s.Fork = b.fork(r)
	if r.Errno != 0 {
		return s, nil
	}
	s.PID = int(r.Ret)
	ex := reply{}
	if e := syscall.Errno(r.Aux[0]); e != 0 {
		ex = reply{Ret: -1, Errno: e}
		s.ExecFails = true
	}
	selfFD := -1
	if flags&spawnSelf != 0 {
		// boxloop.c puts hood's binary just above the error pipe: fd 4,
		// or 5 when the child gets a fourth descriptor.
		selfFD = 4
		if len(files) == 4 {
			selfFD = 5
		}
	}
	// The box looked argv[0] up on the PATH and names the file it ran.
	path := string(r.Data)
	if path == "" {
		path = argv[0]
	}
	s.Exec = execCall(s.PID, path, argv, selfFD, ex)
	return s, nil
}
