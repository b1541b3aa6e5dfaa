package explain

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func load(t *testing.T) *KB {
	t.Helper()
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// constants are the kernel's numbers as golang.org/x/sys/unix has them: an
// entry with a value must agree.
func constants() map[string]uint64 {
	m := map[string]uint64{
		"CLONE_NEWUTS": unix.CLONE_NEWUTS, "CLONE_NEWIPC": unix.CLONE_NEWIPC, "CLONE_NEWNET": unix.CLONE_NEWNET,
		"CLONE_NEWNS": unix.CLONE_NEWNS, "CLONE_NEWPID": unix.CLONE_NEWPID, "CLONE_NEWUSER": unix.CLONE_NEWUSER,
		"CLONE_NEWCGROUP": unix.CLONE_NEWCGROUP, "CLONE_NEWTIME": unix.CLONE_NEWTIME,
		"MS_RDONLY": unix.MS_RDONLY, "MS_NOSUID": unix.MS_NOSUID, "MS_NODEV": unix.MS_NODEV, "MS_NOEXEC": unix.MS_NOEXEC,
		"MS_REMOUNT": unix.MS_REMOUNT, "MS_BIND": unix.MS_BIND, "MS_MOVE": unix.MS_MOVE, "MS_REC": unix.MS_REC,
		"MS_NOATIME": unix.MS_NOATIME, "MS_RELATIME": unix.MS_RELATIME, "MS_UNBINDABLE": unix.MS_UNBINDABLE,
		"MS_PRIVATE": unix.MS_PRIVATE, "MS_SLAVE": unix.MS_SLAVE, "MS_SHARED": unix.MS_SHARED, "MNT_DETACH": unix.MNT_DETACH,
		"NS_GET_USERNS": unix.NS_GET_USERNS, "NS_GET_PARENT": unix.NS_GET_PARENT, "NS_GET_NSTYPE": unix.NS_GET_NSTYPE,
		"NS_GET_OWNER_UID": unix.NS_GET_OWNER_UID, "LOOP_CTL_GET_FREE": unix.LOOP_CTL_GET_FREE, "LOOP_SET_FD": unix.LOOP_SET_FD,
		"LOOP_SET_STATUS64": unix.LOOP_SET_STATUS64, "LO_FLAGS_AUTOCLEAR": unix.LO_FLAGS_AUTOCLEAR, "AT_EMPTY_PATH": unix.AT_EMPTY_PATH,
		"PR_SET_PDEATHSIG": unix.PR_SET_PDEATHSIG, "PR_SET_CHILD_SUBREAPER": unix.PR_SET_CHILD_SUBREAPER,
		"PR_SET_NO_NEW_PRIVS": unix.PR_SET_NO_NEW_PRIVS, "PR_CAPBSET_DROP": unix.PR_CAPBSET_DROP, "PR_CAP_AMBIENT": unix.PR_CAP_AMBIENT, "PR_GET_SECUREBITS": unix.PR_GET_SECUREBITS,
		"PR_CAP_AMBIENT_CLEAR_ALL": unix.PR_CAP_AMBIENT_CLEAR_ALL, "_LINUX_CAPABILITY_VERSION_3": unix.LINUX_CAPABILITY_VERSION_3, "O_DIRECT": unix.O_DIRECT, "O_CLOEXEC": unix.O_CLOEXEC,
		"O_RDWR": unix.O_RDWR, "O_CREAT": unix.O_CREAT, "O_EXCL": unix.O_EXCL,
		"PR_SET_SECCOMP": unix.PR_SET_SECCOMP, "SECCOMP_MODE_STRICT": unix.SECCOMP_MODE_STRICT,
		"SECCOMP_SET_MODE_FILTER": unix.SECCOMP_SET_MODE_FILTER, "AUDIT_ARCH_X86_64": unix.AUDIT_ARCH_X86_64,
		"AUDIT_ARCH_AARCH64": unix.AUDIT_ARCH_AARCH64,
	}
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		if name := capName(c); name != "" {
			m[name] = uint64(c)
		}
	}
	for e := unix.Errno(1); e < 134; e++ {
		if n := unix.ErrnoName(e); n != "" {
			m[n] = uint64(e)
		}
	}
	for s := unix.Signal(1); s < 32; s++ {
		if n := unix.SignalName(s); n != "" {
			m[n] = uint64(s)
		}
	}
	return m
}

var capNames = map[int]string{
	unix.CAP_CHOWN: "CAP_CHOWN", unix.CAP_DAC_OVERRIDE: "CAP_DAC_OVERRIDE", unix.CAP_DAC_READ_SEARCH: "CAP_DAC_READ_SEARCH",
	unix.CAP_FOWNER: "CAP_FOWNER", unix.CAP_FSETID: "CAP_FSETID", unix.CAP_KILL: "CAP_KILL", unix.CAP_SETGID: "CAP_SETGID",
	unix.CAP_SETUID: "CAP_SETUID", unix.CAP_SETPCAP: "CAP_SETPCAP", unix.CAP_LINUX_IMMUTABLE: "CAP_LINUX_IMMUTABLE",
	unix.CAP_NET_BIND_SERVICE: "CAP_NET_BIND_SERVICE", unix.CAP_NET_BROADCAST: "CAP_NET_BROADCAST", unix.CAP_NET_ADMIN: "CAP_NET_ADMIN",
	unix.CAP_NET_RAW: "CAP_NET_RAW", unix.CAP_IPC_LOCK: "CAP_IPC_LOCK", unix.CAP_IPC_OWNER: "CAP_IPC_OWNER",
	unix.CAP_SYS_MODULE: "CAP_SYS_MODULE", unix.CAP_SYS_RAWIO: "CAP_SYS_RAWIO", unix.CAP_SYS_CHROOT: "CAP_SYS_CHROOT",
	unix.CAP_SYS_PTRACE: "CAP_SYS_PTRACE", unix.CAP_SYS_PACCT: "CAP_SYS_PACCT", unix.CAP_SYS_ADMIN: "CAP_SYS_ADMIN",
	unix.CAP_SYS_BOOT: "CAP_SYS_BOOT", unix.CAP_SYS_NICE: "CAP_SYS_NICE", unix.CAP_SYS_RESOURCE: "CAP_SYS_RESOURCE",
	unix.CAP_SYS_TIME: "CAP_SYS_TIME", unix.CAP_SYS_TTY_CONFIG: "CAP_SYS_TTY_CONFIG", unix.CAP_MKNOD: "CAP_MKNOD",
	unix.CAP_LEASE: "CAP_LEASE", unix.CAP_AUDIT_WRITE: "CAP_AUDIT_WRITE", unix.CAP_AUDIT_CONTROL: "CAP_AUDIT_CONTROL",
	unix.CAP_SETFCAP: "CAP_SETFCAP", unix.CAP_MAC_OVERRIDE: "CAP_MAC_OVERRIDE", unix.CAP_MAC_ADMIN: "CAP_MAC_ADMIN",
	unix.CAP_SYSLOG: "CAP_SYSLOG", unix.CAP_WAKE_ALARM: "CAP_WAKE_ALARM", unix.CAP_BLOCK_SUSPEND: "CAP_BLOCK_SUSPEND",
	unix.CAP_AUDIT_READ: "CAP_AUDIT_READ", unix.CAP_PERFMON: "CAP_PERFMON", unix.CAP_BPF: "CAP_BPF",
	unix.CAP_CHECKPOINT_RESTORE: "CAP_CHECKPOINT_RESTORE",
}

func capName(c int) string { return capNames[c] }

func TestConstantsAgreeWithTheKernel(t *testing.T) {
	kb := load(t)
	known := constants()
	for _, f := range kb.Files {
		for _, e := range f.Entries {
			if e.Value == nil {
				continue
			}
			want, ok := known[e.Name]
			if !ok {
				t.Errorf("%s (%s) has a value but no constant of that name to check it against", e.Name, f.Group)
				continue
			}
			if *e.Value != want {
				t.Errorf("%s: the entry says %#x, golang.org/x/sys/unix says %#x", e.Name, *e.Value, want)
			}
		}
	}
}

func TestEveryCapabilityHasAnEntry(t *testing.T) {
	kb := load(t)
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		name := capName(c)
		if name == "" {
			t.Errorf("capability %d has no name in this test: add it", c)
			continue
		}
		if e := kb.Get(name); e == nil || e.Value == nil || *e.Value != uint64(c) {
			t.Errorf("%s (%d) has no entry with its value", name, c)
		}
	}
}

func TestSeeAlsoPointsSomewhere(t *testing.T) {
	kb := load(t)
	for _, f := range kb.Files {
		for _, e := range f.Entries {
			for _, s := range e.See {
				if a := kb.Find(s); a.Entry == nil || !strings.EqualFold(a.Entry.Name, s) && !hasAlias(a.Entry, s) {
					t.Errorf("%s (%s): see-also %q finds no entry of that name", e.Name, f.Group, s)
				}
			}
			if e.Man == "" {
				t.Errorf("%s (%s) names nowhere to read more (man)", e.Name, f.Group)
			}
		}
	}
}

func hasAlias(e *Entry, w string) bool {
	for _, a := range e.Aliases {
		if strings.EqualFold(a, w) {
			return true
		}
	}
	return false
}

func TestFind(t *testing.T) {
	kb := load(t)
	for word, want := range map[string]string{
		"CLONE_NEWUTS": "CLONE_NEWUTS", // exact
		"clone_newuts": "CLONE_NEWUTS", // any case
		"CLONE_NEWUT":  "CLONE_NEWUTS", // a unique prefix
		"0x4000000":    "CLONE_NEWUTS", // a value
		"0x04000000":   "CLONE_NEWUTS",
	} {
		if a := kb.Find(word); a.Entry == nil || a.Entry.Name != want {
			t.Errorf("Find(%q) = %+v, want %s", word, a, want)
		}
	}
	a := kb.Find("0x20020000")
	var names []string
	for _, f := range a.Flags {
		names = append(names, f.Name)
	}
	if strings.Join(names, "|") != "CLONE_NEWNS|CLONE_NEWPID" && strings.Join(names, "|") != "CLONE_NEWPID|CLONE_NEWNS" || a.Rest != 0 {
		t.Errorf("Find(0x20020000) = %v rest %#x, want CLONE_NEWNS and CLONE_NEWPID", names, a.Rest)
	}
	if a := kb.Find("0x20020001"); a.Rest != 1 {
		t.Errorf("Find(0x20020001): rest %#x, want the unknown bit 0x1", a.Rest)
	}
	if a := kb.Find("CLONE_NEWUTZ"); a.Entry != nil || len(a.Similar) == 0 || a.Similar[0] != "CLONE_NEWUTS" {
		t.Errorf("Find(CLONE_NEWUTZ) = %+v, want a did-you-mean of CLONE_NEWUTS", a)
	}
}

// A word shorter than minPrefix answers only with an entry of exactly that
// name: "ps" (the program) once answered with PSI.
func TestShortWordNeedsExactMatch(t *testing.T) {
	kb := load(t)
	a := kb.Find("ps")
	if a.Entry != nil {
		t.Fatalf("Find(ps) = %s, want no entry", a.Entry.Name)
	}
	if len(a.Similar) == 0 {
		t.Errorf("Find(ps): no nearest names suggested")
	}
	if a := kb.Find("PSI"); a.Entry == nil || a.Entry.Name != "PSI" {
		t.Errorf("Find(PSI) = %+v, want PSI", a)
	}
	if a := kb.Find("psi"); a.Entry == nil || a.Entry.Name != "PSI" {
		t.Errorf("Find(psi) = %+v, want PSI (any case)", a)
	}
}

// capset(2)'s four rules, each stated: the inheritable set once read as if
// CAP_SETPCAP lifted the bounding-set limit too.
func TestCapsetRules(t *testing.T) {
	e := load(t).Get("capset")
	if e == nil {
		t.Fatal("no capset entry")
	}
	text := strings.Join(strings.Fields(e.Short), " ")
	for _, rule := range []string{
		"new permitted set must lie within the old permitted set",
		"new effective set within the new permitted set",
		"new inheritable set must lie within the old inheritable plus the old permitted set, unless CAP_SETPCAP is in the effective set",
		"always within the old inheritable plus the bounding set",
	} {
		if !strings.Contains(text, rule) {
			t.Errorf("capset entry does not say %q:\n%s", rule, text)
		}
	}
}

// why.yaml is read as strictly as the entries: an unknown key (a typo of
// fix), a call given twice or an empty why is refused.
func TestWhyTableRefusesBadEntries(t *testing.T) {
	if _, all, err := whyTable(whyData); err != nil || len(all) == 0 {
		t.Fatalf("why.yaml: %d entries, %v", len(all), err)
	}
	for name, src := range map[string]string{
		"unknown key": "why:\n  - {call: kill, errno: EPERM, why: w, fixx: f}\n",
		"twice":       "why:\n  - {call: kill, errno: EPERM, why: w}\n  - {call: kill, errno: EPERM, why: v}\n",
		"empty why":   "why:\n  - {call: kill, errno: EPERM}\n",
	} {
		if _, _, err := whyTable([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
