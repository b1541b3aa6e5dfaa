// Command vmtest runs hood's cgroup tests and labs in a small Linux VM
// whose only cgroup hierarchy is cgroup v2, for the code paths a hybrid or
// legacy host cannot reach. `make vmtest` runs it; `make test` does too
// when qemu-system-x86_64 is installed.
//
// What it does:
//
//  1. Downloads Debian's kernel (the package linux-image-amd64 depends on)
//     and busybox-static with apt-get download, unpacks them with dpkg-deb
//     into .cache/vmtest/ (kept by make clean, ignored by git), and takes
//     the ELF vmlinux out of the compressed vmlinuz (vmlinux.go): QEMU boots
//     it through its PVH entry point, with no decompression in the guest.
//     Nothing is installed on the host. rm -rf .cache/vmtest fetches anew.
//  2. Builds static test binaries of the packages in -pkgs with go test -c
//     and puts them, each with its package's testdata/, the hood binary
//     (-hood, made by make build), busybox and init.sh into an initramfs
//     (cpio.go).
//  3. Boots it with qemu-system-x86_64, 2 CPUs and 1 GiB, under KVM where
//     KVM really works and TCG elsewhere (qemu.go). Debian's kernel has
//     its serial console, devtmpfs, cgroup2 and every namespace type built
//     in; of its modules the VM loads only loop, veth, nfnetlink and
//     nf_tables (fetch.go says why). The VM has no disk or network.
//  4. init.sh mounts cgroup2 alone at /sys/fs/cgroup, enables cpu, memory,
//     io, pids and cpuset in the root's cgroup.subtree_control, shows that
//     (the first step, "cgroup2", which fails if it is not so), runs each
//     step and powers off. Each test binary runs as root in its package
//     copy with -test.v -test.count=1; then hood doctor (its table is
//     printed, its verdicts not judged: --check-all shows them) and
//     hood lab --check-all; then, as uid 1000 in a cgroup delegated to it
//     by hand (rootless.sh), a short hood session and hood lab --check-all
//     again, and a check that hood gave the cgroup back as it found it.
//  5. Reads each step's output and status from the VM's second serial port
//     (report.go), prints PASS or FAIL per step, the output of each failing
//     one, what was skipped and why, and exits 1 if anything failed, the
//     VM did not get through every step, or the time ran out.
//
// The kernel's own messages go to .cache/vmtest/console.log.
//
// Flags: -v prints every step's output as it comes; -pkgs, -lab and -hood
// choose what runs; -accel forces kvm or tcg; -timeout bounds the VM.
//
// -arch arm64 runs the arm64 lane instead (arch.go): qemu-system-aarch64's
// virt machine under TCG with Debian's arm64 kernel and busybox-static
// (foreign.go fetches them), test binaries cross-compiled with cgo, and the
// arm64 hood of make dist. The host's programs are amd64 ones and stay out:
// the steps that need them skip with their reason. Its cache is
// .cache/vmtest-arm64.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

//go:embed init.sh
var initScript string

// rootlessScript is the rootless cgroup step: a cgroup delegated to uid
// 1000 by hand, as systemd's Delegate= does, and hood run there as that user.
//
//go:embed rootless.sh
var rootlessScript string

// skip holds, per package ("commands", "internal/kernel/cgroup"), a
// -test.skip pattern for tests left out in the VM, each for a reason
// written beside it. None is needed now: tests that need what the VM lacks
// (the ipc lab's ipcmk and ipcs) check for it and skip by themselves.
var skip = map[string]string{}

// only holds, per package, a -test.run pattern where the VM runs just some
// of its tests: of cmd/hood (the sessions, the soak and the labs run on the
// host), the strace test of the delegated-cgroup path, which needs the pure
// v2 hierarchy only the VM has.
var only = map[string]string{"cmd/hood": "^TestDelegatedNarrationMatchesStrace$"}

// applets are the busybox programs in the VM's /bin: what init.sh uses and
// what the tests and the labs' solutions run (sleep, ps, id, ls, cat, echo).
// busybox's lsns, ipcmk and nsenter look-alikes are left out on purpose
// (util-linux's nsenter, unshare and setpriv come from the host: hostprogs.go):
// tests compare hood with util-linux, not with busybox.
var applets = []string{
	"awk", "cat", "chown", "cp", "echo", "env", "false", "grep", "hostname", "id", "insmod", "ip", "kill", "ls", "mkdir",
	"mount", "poweroff", "ps", "rmdir", "sh", "sleep", "switch_root", "timeout", "touch", "tr", "true", "umount", "uname",
}

type config struct {
	t                  *target
	cache, hood, goCmd string
	pkgs               []string
	lab, verbose       bool
	accel              string
	timeout            time.Duration
}

func main() {
	var c config
	var pkgs, arch string
	flag.StringVar(&arch, "arch", "amd64", "the VM's architecture: amd64 or arm64")
	flag.StringVar(&c.cache, "cache", "", "where the kernel and busybox are kept (default .cache/vmtest, for arm64 .cache/vmtest-arm64)")
	flag.StringVar(&c.hood, "hood", "", "the static hood binary (default ./hood of make build; for arm64 dist/hood-linux-arm64 of make dist)")
	flag.StringVar(&pkgs, "pkgs", "", "comma-separated packages whose tests run in the VM (default: "+targets["amd64"].Pkgs+"; for arm64 "+targets["arm64"].Pkgs+")")
	flag.BoolVar(&c.lab, "lab", true, "run hood lab --check-all in the VM")
	flag.BoolVar(&c.verbose, "v", false, "print every step's output as it comes")
	flag.StringVar(&c.accel, "accel", "auto", "kvm, tcg, or auto: KVM where it works, else TCG")
	flag.DurationVar(&c.timeout, "timeout", 0, "kill the VM after this long (default 240s, for arm64 330s)")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	t, err := targetNamed(arch)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmtest:", err)
		os.Exit(2)
	}
	c.t = t
	if c.cache == "" {
		c.cache = ".cache/vmtest"
		if t.GOARCH != "amd64" {
			c.cache += "-" + t.GOARCH
		}
	}
	if pkgs == "" {
		pkgs = t.Pkgs
	}
	if c.hood == "" {
		c.hood = t.Hood
	}
	if c.timeout == 0 {
		c.timeout = t.Timeout
	}
	for p := range strings.SplitSeq(pkgs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.pkgs = append(c.pkgs, p)
		}
	}
	c.goCmd = os.Getenv("GO")
	if c.goCmd == "" {
		c.goCmd = "go"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := c.main(ctx)
	stop()
	os.Exit(code)
}

func (c *config) main(ctx context.Context) int {
	start := time.Now()
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "vmtest: %v\n", err)
		return 2
	}
	if _, err := exec.LookPath(c.t.QEMU); err != nil {
		return fail(fmt.Errorf("%s not installed (apt-get install %s): %w", c.t.QEMU, c.t.Pkg, err))
	}
	if cc := crossCC[c.t.GOARCH]; !c.t.native() {
		if _, err := exec.LookPath(cc); err != nil {
			return fail(fmt.Errorf("%s not installed: it cross-compiles the test binaries' C for %s (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross): %w", cc, c.t.GOARCH, err))
		}
	}
	if err := c.t.checkBinary(c.hood); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(c.cache, 0o755); err != nil {
		return fail(err)
	}
	kdir, err := kernel(c.t, c.cache)
	if err != nil {
		return fail(err)
	}
	bb, err := busybox(c.t, c.cache)
	if err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "vmtest-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	initrd := filepath.Join(tmp, "initramfs.cpio")
	if err := c.initramfs(initrd, tmp, bb, kdir); err != nil {
		return fail(err)
	}
	prepared := time.Since(start)

	v := &vm{
		T: c.t, Kernel: filepath.Join(kdir, c.t.KernelFile), Initrd: initrd, Console: filepath.Join(c.cache, "console.log"),
		CPUs: 2, MemMiB: 1024, Timeout: c.timeout, BootTimeout: c.timeout,
	}
	switch c.accel {
	case "auto":
		v.Accel = "tcg"
		if !c.t.native() {
			fmt.Printf("vmtest: TCG, not KVM: an %s VM on an %s machine is emulated\n", c.t.GOARCH, runtime.GOARCH)
		} else if ok, why := kvmUsable(); ok {
			// A KVM that cannot run this kernel shows in seconds.
			v.Accel, v.BootTimeout = "kvm", 30*time.Second
		} else {
			fmt.Printf("vmtest: TCG, not KVM: %s\n", why)
		}
	case "kvm", "tcg":
		v.Accel = c.accel
	default:
		return fail(fmt.Errorf("-accel %q: want kvm, tcg or auto", c.accel))
	}

	r, err := c.boot(ctx, v)
	if errors.Is(err, errNoBoot) && c.accel == "auto" && v.Accel == "kvm" {
		fmt.Printf("vmtest: KVM did not boot the VM, trying TCG: %v\n", err)
		v.Accel, v.BootTimeout = "tcg", c.timeout
		r, err = c.boot(ctx, v)
	}
	r.summary(os.Stdout, !c.verbose)
	failed := r.failed()
	if err != nil || !r.Done {
		why := "the VM stopped before every step ran"
		if err != nil {
			why = err.Error()
		}
		fmt.Printf("vmtest: FAIL: %s\n", why)
		if msgs := tail(v.Console, 30); msgs != "" {
			fmt.Printf("vmtest: the last of the kernel's messages (all in %s):\n%s\n", v.Console, msgs)
		}
		if failed == 0 {
			failed = 1
		}
	}
	fmt.Printf("vmtest: %d passed, %d failed\n", len(r.Steps)-r.failed(), failed)
	fmt.Printf("vmtest: %.1fs in all: %.1fs to prepare, %.1fs in the VM (%s)\n",
		time.Since(start).Seconds(), prepared.Seconds(), time.Since(start).Seconds()-prepared.Seconds(), v.Accel)
	if failed > 0 {
		return 1
	}
	return 0
}

// boot runs the VM once, printing each step's result as it ends.
func (c *config) boot(ctx context.Context, v *vm) (*report, error) {
	pkg, _ := os.ReadFile(filepath.Join(filepath.Dir(v.Kernel), "package"))
	fmt.Printf("vmtest: booting the kernel of %s (%s, %d CPUs, %d MiB)\n", strings.TrimSpace(string(pkg)), v.Accel, v.CPUs, v.MemMiB)
	r := &report{now: time.Now}
	t0, up := time.Now(), false
	r.live = func(s *step) {
		if (s.Name == "cgroup2" || s.Name == "hood-doctor" || s.Name == "hood-rootless-cgroup") && !c.verbose {
			for _, l := range s.Output {
				fmt.Printf("  %s\n", l)
			}
		}
		verdict, why, _ := strings.Cut(s.status(), ", ")
		if why != "" {
			why = ", " + why
		}
		fmt.Printf("vmtest: %s %s (%.1fs%s)\n", verdict, s.Name, s.Took.Seconds(), why)
	}
	err := v.run(ctx, func(l string) {
		if !up {
			up = true
			fmt.Printf("vmtest: the VM's init started after %.1fs\n", time.Since(t0).Seconds())
		}
		if c.verbose {
			fmt.Println(l)
		}
		r.line(l)
	})
	return r, err
}

// initramfs writes the VM's root filesystem to out, building the test
// binaries in dir.
func (c *config) initramfs(out, dir, bb, kdir string) error {
	im := image{}
	for _, d := range []string{"/proc", "/sys", "/dev", "/tmp", "/run", "/root", "/vmtest"} {
		im.dir(d)
	}
	im.data("/init", 0o755, initScript)
	im.data("/etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nhoodtest:x:1000:1000:hood rootless:/tmp/hoodtest:/bin/sh\n")
	im.data("/etc/group", 0o644, "root:x:0:\nnogroup:x:65534:\nhoodtest:x:1000:\n")
	im.data("/vmtest/rootless.sh", 0o755, rootlessScript)
	if err := im.file("/bin/busybox", bb); err != nil {
		return err
	}
	for _, a := range applets {
		im.symlink("/bin/"+a, "busybox")
	}
	var order []string
	for _, m := range c.t.modules() {
		name := filepath.Base(m)
		if err := im.file("/lib/modules/"+name, filepath.Join(kdir, "modules", name)); err != nil {
			return fmt.Errorf("%w (rm -rf %s fetches the kernel again)", err, kdir)
		}
		order = append(order, name)
	}
	im.data("/lib/modules/order", 0o644, strings.Join(order, "\n")+"\n")
	if c.t.native() {
		note, err := addHostPrograms(im)
		if err != nil {
			return err
		}
		fmt.Println("vmtest:", note)
	} else {
		fmt.Printf("vmtest: the host's %s are %s programs: not in the %s VM, and what needs them skips\n", strings.Join(hostPrograms, ", "), runtime.GOARCH, c.t.GOARCH)
	}
	if err := im.file("/bin/hood", c.hood); err != nil {
		return fmt.Errorf("%w (make build makes it)", err)
	}

	plan := []string{"# written by vmtest/main.go: one step per line, run by init.sh"}
	if len(c.pkgs) > 0 {
		bin := filepath.Join(dir, "bin")
		fmt.Printf("vmtest: building %s test binaries of %s\n", c.t.GOARCH, strings.Join(c.pkgs, " "))
		args := []string{"test", "-c", "-ldflags", "-linkmode external -extldflags -static", "-o", bin + "/"}
		if !c.t.native() {
			args = append(args, "-tags", "osusergo,netgo") // as make dist builds hood
		}
		args = append(args, c.pkgs...)
		cmd := exec.Command(c.goCmd, args...)
		cmd.Env = append(os.Environ(), c.t.crossEnv()...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %w", c.goCmd, strings.Join(args, " "), err)
		}
		for _, pkg := range c.pkgs {
			name := path.Base(pkg)
			at := "/t/" + name
			test := filepath.Join(bin, name+".test")
			if _, err := os.Stat(test); err != nil {
				continue // a package without tests
			}
			if err := im.file(at+"/"+name+".test", test); err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(pkg, "testdata")); err == nil {
				if err := im.tree(at+"/testdata", filepath.Join(pkg, "testdata")); err != nil {
					return err
				}
			}
			argv := []string{"./" + name + ".test", "-test.v", "-test.count=1", "-test.timeout=" + c.t.TestTimeout.String()}
			if re := skip[path.Clean(pkg)]; re != "" {
				argv = append(argv, "-test.skip", re)
			}
			if re := only[path.Clean(pkg)]; re != "" {
				argv = append(argv, "-test.run", re)
			}
			plan = append(plan, shellLine("step", name+".test", at, argv))
		}
	}
	if c.lab {
		// What doctor says of the VM, for the log: its verdicts are
		// what --check-all then shows, so its status does not fail the run.
		plan = append(plan, shellLine("step", "hood-doctor", "/root", []string{"sh", "-c", "COLUMNS=80 hood doctor; echo hood doctor: exit status $?"}))
		argv := []string{"hood", "lab", "--check-all"}
		if c.t.LabTimeout > 0 {
			// busybox timeout: SIGTERM after the time, then the step fails
			argv = append([]string{"timeout", fmt.Sprint(int(c.t.LabTimeout.Seconds()))}, argv...)
		}
		plan = append(plan, shellLine("step", "hood-lab-check-all", "/root", argv))
		// The same as an ordinary user in a cgroup delegated to it.
		plan = append(plan, shellLine("step", "hood-rootless-cgroup", "/", []string{"sh", "/vmtest/rootless.sh"}))
	}
	im.data("/vmtest/plan.sh", 0o644, strings.Join(plan, "\n")+"\n")

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := im.write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// shellLine quotes words for sh.
func shellLine(cmd, name, dir string, argv []string) string {
	q := []string{cmd, name, dir}
	q = append(q, argv...)
	for i, w := range q {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// tail returns the last n lines of a file, indented; "" for none.
func tail(file string, n int) string {
	data, err := os.ReadFile(file)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	return "  " + strings.Join(lines, "\n  ")
}
