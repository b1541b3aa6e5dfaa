package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
	"hood/internal/rootfs"
)

func init() {
	register(
		&Command{UsageLine: "rootfs make [NAME]", Short: "build a small root filesystem from busybox-static, under hood's state directory",
			Long: `hood copies a statically linked busybox into STATEDIR/rootfs/NAME (rootfs
by default), makes a symlink to it for every applet (what busybox --install
-s does, made by hood so that nothing is written outside the tree), and
writes an /etc/os-release, /etc/passwd and /etc/group of its own, and the
empty /proc, /sys, /dev and /tmp a box mounts on. The tree is built in a
hidden directory beside it and renamed into place only when complete.
Then: chroot NAME, or pivot_root NAME in a box with its own mount namespace.`,
			Run: rootfsMake},
		&Command{UsageLine: "rootfs import TARBALL [NAME]", Short: "unpack a tarball (docker export, an Alpine minirootfs; gzip or not) as a root filesystem",
			Long: `hood unpacks TARBALL into STATEDIR/rootfs/NAME (the file's name by
default), resolving every path inside the target (Go's os.Root): an entry
with ../, an absolute name, a path through a symlink that points outside,
or a hard link out is refused, naming the entry, and nothing is kept.
Device nodes and FIFOs are skipped (a box gets its /dev from a mount) and
setuid and setgid bits dropped; both are listed. gzip is recognised by its
first bytes. Export one with: docker export $(docker create alpine) > alpine.tar`,
			Run: rootfsImport},
		&Command{UsageLine: "rootfs ls", Short: "list the root filesystems under hood's state directory: size, source, os-release",
			Run: rootfsLs},
		&Command{UsageLine: "rootfs rm NAME", Short: "remove a root filesystem hood keeps (only under its state directory)",
			Args: []Arg{ArgRootfs}, Run: rootfsRm},
	)
}

func (s *Session) store() (rootfs.Store, error) { return rootfs.Open() }

// nameArg is the one optional NAME of a rootfs command.
func nameArg(usage string, args []string, def string) (string, error) {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return "", result.Usagef(usage, "unknown option %q", a)
		}
	}
	switch len(args) {
	case 0:
		return def, nil
	case 1:
		return args[0], rootfs.CheckName(args[0])
	}
	return "", result.Usagef(usage, "one NAME at most")
}

func rootfsMake(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs make [NAME]"
	name, err := nameArg(usage, args, "rootfs")
	if err != nil {
		return nil, usageOr(usage, err)
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	m, err := st.Make(name)
	if err != nil {
		var miss *rootfs.MissingBusybox
		if errors.As(err, &miss) {
			return nil, &result.UsageError{Msg: err.Error()}
		}
		return nil, err
	}
	r := &result.Result{}
	r.Say("busybox", "%s %s, statically linked (no PT_INTERP header: it needs no shared library)", m.Busybox, m.Version)
	r.Say("made", "%s: bin/busybox, %d applet symlinks to /bin/busybox, etc/os-release, etc/passwd, etc/group, proc sys dev tmp root", m.Path, m.Applets)
	r.Say("size", "%s", humanBytes(m.Size))
	r.Say("os-release", "PRETTY_NAME=%q", m.Pretty)
	r.Shell = fmt.Sprintf("mkdir -p %s/bin && cp %s %s/bin/ && chroot %s /bin/busybox --install -s", m.Path, m.Busybox, m.Path, m.Path)
	r.Meaning = fmt.Sprintf("A root filesystem is only a directory tree: %s holds one program, busybox, which acts as sh, ls, ps, cat and the rest by the name it is called with (the symlinks). Being static, it runs with no /lib. Enter it with chroot %s, or pivot_root %s after unshare mnt.", m.Path, name, name)
	return r, nil
}

// usageOr turns a bad NAME into a usage error.
func usageOr(usage string, err error) error {
	var ue *result.UsageError
	if errors.As(err, &ue) {
		return err
	}
	return result.Usagef(usage, "%v", err)
}

func rootfsImport(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs import TARBALL [NAME]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return nil, result.Usagef(usage, "give the tarball to unpack, such as `rootfs import alpine-minirootfs.tar.gz alpine`")
	}
	file := args[0]
	def := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(baseName(file), ".gz"), ".tgz"), ".tar"), ".")
	if rootfs.CheckName(def) != nil {
		def = "imported"
	}
	name, err := nameArg(usage, args[1:], def)
	if err != nil {
		return nil, usageOr(usage, err)
	}
	if _, err := os.Stat(file); err != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s: %v", file, errors.Unwrap(err))}
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	im, err := st.Import(file, name)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	c := im.Compressed
	if c == "" {
		c = "none"
	}
	r.Say("tarball", "%s (compression: %s)", file, c)
	r.Say("made", "%s: %d files (%s), %d directories, %d symlinks (%d with an absolute target: made, never followed), %d hard links",
		im.Path, im.Files, humanBytes(im.Bytes), im.Dirs, im.Symlinks, im.AbsoluteLinks, im.Links)
	if len(im.Skipped) > 0 {
		r.Say("skipped", "%d device nodes and FIFOs (%s): hood makes none on the host's disk; a box gets /dev from a mount", len(im.Skipped), firstFew(im.Skipped))
	}
	if len(im.SetuidDropped) > 0 {
		r.Say("setuid", "dropped on %d files (%s): in your home directory a setuid-root file would be a way to root for anyone who can reach it", len(im.SetuidDropped), firstFew(im.SetuidDropped))
	}
	if im.Pretty != "" {
		r.Say("os-release", "PRETTY_NAME=%q", im.Pretty)
	} else {
		r.Say("os-release", "none (no etc/os-release nor usr/lib/os-release)")
	}
	if !im.HasShell {
		r.Say("note", "there is no /bin/sh in it: run needs the programs it runs to be inside")
	}
	r.Shell = fmt.Sprintf("mkdir %s && tar -xpf %s -C %s", im.Path, file, im.Path)
	r.Meaning = "Every path of the tarball was resolved inside the new directory, so no entry could write elsewhere; the tree was unpacked beside its final place and renamed there only once complete."
	return r, nil
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func firstFew(xs []string) string {
	if len(xs) > 3 {
		return strings.Join(xs[:3], ", ") + ", ..."
	}
	return strings.Join(xs, ", ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10) + " B"
}

func rootfsLs(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("rootfs ls", "rootfs ls takes no arguments")
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	ls, err := st.List()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if len(ls) == 0 {
		r.Text = fmt.Sprintf("no root filesystems in %s: rootfs make builds one, rootfs import TARBALL unpacks one\n", st.Dir)
		return r, nil
	}
	t := &result.Table{Header: []string{"name", "size", "source", "os-release"}}
	for _, in := range ls {
		t.Rows = append(t.Rows, []string{in.Name, humanBytes(in.Size), in.Source, in.Pretty})
	}
	r.Table = t
	r.Say("in", "%s", st.Dir)
	return r, nil
}

func rootfsRm(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs rm NAME"
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return nil, result.Usagef(usage, "name one root filesystem (rootfs ls lists them)")
	}
	if err := rootfs.CheckName(args[0]); err != nil {
		return nil, result.Usagef(usage, "%v; rootfs rm removes only what is under hood's state directory", err)
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	p, _ := st.Path(args[0])
	// A box whose root is the tree (chroot: a path under it; pivot_root:
	// a bind mount of it, the same inode) would see its files vanish.
	top, _ := procfs.FileIDOf(p)
	for _, b := range s.Boxes {
		root, err := s.Proc().RootDir(b.PID)
		id, ierr := s.Proc().RootID(b.PID)
		if (err == nil && procfs.Under(root, p)) || (ierr == nil && id == top) {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s's root is %s: its files would vanish under it; leave it first (box kill %s)", b.Name, p, b.Name)}
		}
	}
	if c := s.runcNamed(args[0]); c != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("the runc container %s runs from %s: rootfs runc %s --delete first", c.ID, p, args[0])}
	}
	if ids := s.runcUsing(p); len(ids) > 0 {
		return nil, &result.UsageError{Msg: fmt.Sprintf("runc container %s of another hood runs from %s: end that hood (or its container) first", strings.Join(ids, ", "), p)}
	}
	if err := st.Remove(args[0]); err != nil {
		return nil, err
	}
	r := &result.Result{}
	r.Say("removed", "%s", p)
	s.removeBundle(r, args[0])
	r.Shell = "rm -rf " + p
	return r, nil
}
