package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests check the parts that need no VM: the kernel extractor on a
// made-up bzImage, the initramfs writer, and the reading of the VM's output.

// fakeELF is the smallest x86-64 ELF file debug/elf accepts: a header.
func fakeELF() []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(h[16:], 2)    // ET_EXEC
	binary.LittleEndian.PutUint16(h[18:], 0x3e) // EM_X86_64
	binary.LittleEndian.PutUint32(h[20:], 1)    // EV_CURRENT
	binary.LittleEndian.PutUint16(h[52:], 64)   // e_ehsize
	return append(h, bytes.Repeat([]byte("kernel"), 1000)...)
}

// bzImage wraps a compressed payload as a bzImage does, with junk before
// and after it; a zero setup_sects means 4.
func bzImage(payload []byte, setupSects byte) []byte {
	sects := int(setupSects)
	if sects == 0 {
		sects = 4
	}
	img := make([]byte, (sects+1)*512+300)
	img[0x1f1] = setupSects
	copy(img[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x20f)
	binary.LittleEndian.PutUint32(img[0x248:], 300)
	binary.LittleEndian.PutUint32(img[0x24c:], uint32(len(payload)))
	img = append(img, payload...)
	return append(img, "decompressor tail"...)
}

func compress(t *testing.T, format string, data []byte) []byte {
	t.Helper()
	var out []byte
	switch format {
	case "gzip":
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		return b.Bytes()
	case "xz", "zstd":
		if _, err := exec.LookPath(format); err != nil {
			t.Skipf("%s not installed", format)
		}
		cmd := exec.Command(format, "-c")
		cmd.Stdin = bytes.NewReader(data)
		var err error
		if out, err = cmd.Output(); err != nil {
			t.Fatal(err)
		}
	}
	// size_append, as the kernel's build does
	return binary.LittleEndian.AppendUint32(out, uint32(len(data)))
}

func TestExtractVmlinux(t *testing.T) {
	elf := fakeELF()
	for _, format := range []string{"gzip", "xz", "zstd"} {
		t.Run(format, func(t *testing.T) {
			for _, sects := range []byte{0, 27} {
				got, err := extractVmlinux(bzImage(compress(t, format, elf), sects))
				if err != nil {
					t.Fatalf("setup_sects %d: %v", sects, err)
				}
				if !bytes.Equal(got, elf) {
					t.Fatalf("setup_sects %d: got %d bytes, want the %d of the ELF file", sects, len(got), len(elf))
				}
			}
		})
	}
}

func TestExtractVmlinuxWithoutHeader(t *testing.T) {
	elf := fakeELF()
	img := append([]byte("no setup header here"), compress(t, "gzip", elf)...)
	if got, err := extractVmlinux(img); err != nil || !bytes.Equal(got, elf) {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
}

func TestExtractVmlinuxRefuses(t *testing.T) {
	for name, img := range map[string][]byte{
		"no payload":    []byte("just some bytes"),
		"not ELF":       bzImage(compress(t, "gzip", []byte("a kernel for another world")), 0),
		"bzip2 payload": bzImage([]byte("BZh91AY&SY"), 0),
	} {
		if _, err := extractVmlinux(img); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// readCpio reads a newc archive back: name -> mode and content.
func readCpio(t *testing.T, data []byte) (map[string]uint32, map[string]string) {
	t.Helper()
	modes, contents := map[string]uint32{}, map[string]string{}
	align := func(n int) int { return (n + 3) &^ 3 }
	for off := 0; ; {
		if string(data[off:off+6]) != "070701" {
			t.Fatalf("offset %d: magic %q", off, data[off:off+6])
		}
		field := func(i int) int {
			v, err := strconv.ParseUint(string(data[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return int(v)
		}
		mode, size, namesize := field(1), field(6), field(11)
		name := string(data[off+110 : off+110+namesize-1])
		if name == "TRAILER!!!" {
			if rest := data[align(off+110+namesize):]; len(rest) != 0 {
				t.Errorf("%d bytes after the trailer", len(rest))
			}
			return modes, contents
		}
		body := align(off + 110 + namesize)
		modes[name], contents[name] = uint32(mode), string(data[body:body+size])
		off = align(body + size)
	}
}

func TestInitramfs(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "sub", "f"), []byte("fixture"), 0o644)
	os.WriteFile(filepath.Join(dir, "prog"), []byte("#!/bin/sh\n"), 0o755)
	im := image{}
	im.data("/init", 0o755, "init")
	if err := im.file("/t/x/prog", filepath.Join(dir, "prog")); err != nil {
		t.Fatal(err)
	}
	if err := im.tree("/t/x/testdata", filepath.Join(dir, "src")); err != nil {
		t.Fatal(err)
	}
	im.symlink("/bin/sh", "busybox")
	var b bytes.Buffer
	if err := im.write(&b); err != nil {
		t.Fatal(err)
	}
	modes, contents := readCpio(t, b.Bytes())
	want := map[string]uint32{
		"init": modeFile | 0o755, "t": modeDir | 0o755, "t/x": modeDir | 0o755, "t/x/prog": modeFile | 0o755,
		"t/x/testdata": modeDir | 0o755, "t/x/testdata/sub": modeDir | 0o755, "t/x/testdata/sub/f": modeFile | 0o644,
		"bin": modeDir | 0o755, "bin/sh": modeSymlink | 0o777,
	}
	for name, mode := range want {
		if modes[name] != mode {
			t.Errorf("%s: mode %o, want %o", name, modes[name], mode)
		}
	}
	if len(modes) != len(want) {
		t.Errorf("entries %v, want %d", modes, len(want))
	}
	if contents["t/x/testdata/sub/f"] != "fixture" || contents["bin/sh"] != "busybox" || contents["init"] != "init" {
		t.Errorf("contents %q", contents)
	}
}

// Lines as init.sh and a test binary run with -test.v write them.
const vmOutput = `booting
=== vmtest BEGIN cgroup2
/sys/fs/cgroup/cgroup.subtree_control: cpuset cpu io memory pids
=== vmtest END cgroup2 rc=0
=== vmtest BEGIN labs.test
=== RUN   TestEveryLab
=== RUN   TestEveryLab/ipc
    kernel_test.go:43: requires what this machine lacks: ipcmk
=== RUN   TestEveryLab/uts
--- PASS: TestEveryLab (0.40s)
    --- SKIP: TestEveryLab/ipc (0.01s)
    --- PASS: TestEveryLab/uts (0.09s)
=== RUN   TestRoot
--- SKIP: TestRoot (0.00s)
    x_test.go:9: requires root
        and a second line
=== RUN   TestQuiet
--- SKIP: TestQuiet (0.00s)
no newline at the end=== vmtest END labs.test rc=0
=== vmtest BEGIN hood-lab-check-all
SKIP  lab ipc        the program ipcmk is not installed
ok    uts step 1: Look
FAIL  cg-tour step 3: Meet the rule
=== vmtest END hood-lab-check-all rc=1
=== vmtest BEGIN hung.test
=== RUN   TestForever
`

func TestReport(t *testing.T) {
	var ended []string
	r := &report{now: time.Now, live: func(s *step) { ended = append(ended, s.Name) }}
	for l := range strings.Lines(vmOutput) {
		r.line(strings.TrimSuffix(l, "\n"))
	}
	if want := []string{"cgroup2", "labs.test", "hood-lab-check-all"}; !slices.Equal(ended, want) {
		t.Errorf("ended %q, want %q", ended, want)
	}
	if len(r.Steps) != 4 || r.Done || r.failed() != 2 || !slices.Equal(r.Stray, []string{"booting"}) {
		t.Fatalf("steps %d done %v failed %d stray %q", len(r.Steps), r.Done, r.failed(), r.Stray)
	}
	if s := r.Steps[1]; s.Output[len(s.Output)-1] != "no newline at the end" {
		t.Errorf("labs.test's last line %q", s.Output[len(s.Output)-1])
	}
	if s := r.Steps[3]; s.RC != -1 || s.status() != "FAIL, did not finish" || len(s.Output) != 1 {
		t.Errorf("unfinished step: %+v", s)
	}
	wantSkips := []string{
		"TestEveryLab/ipc: kernel_test.go:43: requires what this machine lacks: ipcmk",
		"TestRoot: x_test.go:9: requires root; and a second line",
		"TestQuiet",
	}
	if got := r.Steps[1].Skips(); !slices.Equal(got, wantSkips) {
		t.Errorf("skips\n%q\nwant\n%q", got, wantSkips)
	}
	if got := r.Steps[2].Skips(); !slices.Equal(got, []string{"lab ipc the program ipcmk is not installed"}) {
		t.Errorf("lab skips %q", got)
	}
	r.line("=== vmtest END hung.test rc=0")
	r.line("=== vmtest DONE")
	if !r.Done || r.failed() != 1 {
		t.Errorf("after DONE: done %v failed %d", r.Done, r.failed())
	}
}

func TestShellLine(t *testing.T) {
	got := shellLine("step", "a.test", "/t/a", []string{"./a.test", "-test.skip", "Test(It's|X)$"})
	want := `'step' 'a.test' '/t/a' './a.test' '-test.skip' 'Test(It'\''s|X)$'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	out, err := exec.Command("sh", "-c", `printf '[%s]' `+got[len("'step' "):]).Output()
	if err != nil || string(out) != `[a.test][/t/a][./a.test][-test.skip][Test(It's|X)$]` {
		t.Errorf("sh read it as %s (%v)", out, err)
	}
}
