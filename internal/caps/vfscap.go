package caps

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// File capabilities are the extended attribute security.capability of an
// executable (capabilities(7), "File capabilities"): at execve the kernel
// adds them to what the new program may hold. The value is a struct
// vfs_cap_data or vfs_ns_cap_data (linux/capability.h), little-endian:
//
//	offset  0: magic_etc   revision (high byte) | VFS_CAP_FLAGS_EFFECTIVE (bit 0)
//	offset  4: permitted   low 32 bits     offset  8: inheritable low 32 bits
//	offset 12: permitted   high 32 bits    offset 16: inheritable high 32 bits
//	offset 20: rootid      (revision 3 only: the user namespace root it counts for)
//
// Revision 1 (12 bytes) has only the low words.
const (
	XattrName     = "security.capability"
	revisionMask  = 0xFF000000
	revision1     = 0x01000000
	revision2     = 0x02000000
	revision3     = 0x03000000
	flagEffective = 0x000001
	Size2         = 20 // the size of a revision 2 value
	Size3         = 24 // the size of a revision 3 value
)

// FileCaps is one decoded security.capability value.
type FileCaps struct {
	Revision               int  // 1, 2 or 3 (VFS_CAP_REVISION_N)
	Effective              bool // VFS_CAP_FLAGS_EFFECTIVE: the new permitted set is also made effective
	Permitted, Inheritable uint64
	RootID                 uint32 // revision 3: host uid of the namespace root the capabilities count for
}

// DecodeFile reads a security.capability value.
func DecodeFile(b []byte) (FileCaps, error) {
	if len(b) < 4 {
		return FileCaps{}, fmt.Errorf("security.capability has %d bytes, too short for its magic_etc word", len(b))
	}
	le := binary.LittleEndian
	magic := le.Uint32(b)
	fc := FileCaps{Effective: magic&flagEffective != 0}
	want := 0
	switch magic & revisionMask {
	case revision1:
		fc.Revision, want = 1, 12
	case revision2:
		fc.Revision, want = 2, Size2
	case revision3:
		fc.Revision, want = 3, Size3
	default:
		return FileCaps{}, fmt.Errorf("security.capability: unknown revision %#08x in magic_etc %#08x", magic&revisionMask, magic)
	}
	if len(b) != want {
		return FileCaps{}, fmt.Errorf("security.capability revision %d has %d bytes, want %d", fc.Revision, len(b), want)
	}
	fc.Permitted, fc.Inheritable = uint64(le.Uint32(b[4:])), uint64(le.Uint32(b[8:]))
	if fc.Revision >= 2 {
		fc.Permitted |= uint64(le.Uint32(b[12:])) << 32
		fc.Inheritable |= uint64(le.Uint32(b[16:])) << 32
	}
	if fc.Revision == 3 {
		fc.RootID = le.Uint32(b[20:])
	}
	return fc, nil
}

// Encode writes fc as revision 2 (or 3 when fc.Revision is 3): what
// setcap writes from the host's user namespace.
func (fc FileCaps) Encode() []byte {
	le := binary.LittleEndian
	n, magic := Size2, uint32(revision2)
	if fc.Revision == 3 {
		n, magic = Size3, revision3
	}
	if fc.Effective {
		magic |= flagEffective
	}
	b := make([]byte, n)
	le.PutUint32(b, magic)
	le.PutUint32(b[4:], uint32(fc.Permitted))
	le.PutUint32(b[8:], uint32(fc.Inheritable))
	le.PutUint32(b[12:], uint32(fc.Permitted>>32))
	le.PutUint32(b[16:], uint32(fc.Inheritable>>32))
	if fc.Revision == 3 {
		le.PutUint32(b[20:], fc.RootID)
	}
	return b
}

// Struct is fc as the C struct it is, for narration:
// {magic_etc=VFS_CAP_REVISION_2|VFS_CAP_FLAGS_EFFECTIVE, permitted=1<<CAP_NET_RAW, inheritable=0}.
func (fc FileCaps) Struct() string {
	m := fmt.Sprintf("VFS_CAP_REVISION_%d", fc.Revision)
	if fc.Effective {
		m += "|VFS_CAP_FLAGS_EFFECTIVE"
	}
	s := fmt.Sprintf("{magic_etc=%s, permitted=%s, inheritable=%s", m, Strace(fc.Permitted), Strace(fc.Inheritable))
	if fc.Revision == 3 {
		s += fmt.Sprintf(", rootid=%d", fc.RootID)
	}
	return s + "}"
}

// Text is fc as getcap(8) prints it: "cap_net_raw=ep",
// "cap_chown,cap_kill=eip", clauses of capabilities that share their
// flags, most capabilities first.
func (fc FileCaps) Text() string {
	groups := map[string][]string{}
	var order []string
	for n := 0; n < 64; n++ {
		bit := uint64(1) << n
		if (fc.Permitted|fc.Inheritable)&bit == 0 {
			continue
		}
		f := ""
		if fc.Effective {
			f += "e"
		}
		if fc.Inheritable&bit != 0 {
			f += "i"
		}
		if fc.Permitted&bit != 0 {
			f += "p"
		}
		if groups[f] == nil {
			order = append(order, f)
		}
		groups[f] = append(groups[f], strings.ToLower(Name(n)))
	}
	var clauses []string
	for _, f := range order {
		clauses = append(clauses, strings.Join(groups[f], ",")+"="+f)
	}
	return strings.Join(clauses, " ")
}

// ParseFileText reads one clause as setcap(8) takes it: CAP[,CAP]=FLAGS
// or CAP[,CAP]+FLAGS, FLAGS from e, i and p, with or without a leading
// "+" (caps file +cap_net_raw=ep). The effective flag is one bit for the
// whole file, so it needs p or i beside it.
func ParseFileText(s string) (FileCaps, error) {
	const want = "want CAP[,CAP]=FLAGS with FLAGS from e, i, p, such as cap_net_raw=ep"
	t := strings.TrimPrefix(s, "+")
	i := strings.LastIndexAny(t, "=+")
	if i < 0 {
		return FileCaps{}, fmt.Errorf("%q has no =FLAGS: %s", s, want)
	}
	if i == 0 {
		return FileCaps{}, fmt.Errorf("%q names no capability before %c: %s", s, t[0], want)
	}
	names, flags := t[:i], strings.ToLower(t[i+1:])
	if flags == "" {
		return FileCaps{}, fmt.Errorf("%q names no flags after %c: %s", s, t[i], want)
	}
	var set uint64
	for _, w := range strings.Split(names, ",") {
		n, err := Parse(w)
		if err != nil {
			return FileCaps{}, err
		}
		set |= 1 << n
	}
	fc := FileCaps{Revision: 2}
	for _, f := range flags {
		switch f {
		case 'e':
			fc.Effective = true
		case 'p':
			fc.Permitted = set
		case 'i':
			fc.Inheritable = set
		default:
			return FileCaps{}, fmt.Errorf("%q: flag %q is not e, i or p: %s", s, f, want)
		}
	}
	if fc.Effective && fc.Permitted|fc.Inheritable == 0 {
		return FileCaps{}, fmt.Errorf("%q: e alone grants nothing (the effective bit raises what p or i bring): %s", s, want)
	}
	return fc, nil
}

// Grant is the permitted set execve gives a process that runs a file with
// capabilities fc, for a process whose inheritable set is inh and bounding
// set bnd (capabilities(7), without root's special rules; the ambient set
// is cleared for a file with capabilities):
//
//	P'(permitted) = (P(inheritable) & F(inheritable)) | (F(permitted) & P(bounding))
//
// and the effective set is the same when fc.Effective, else empty.
func (fc FileCaps) Grant(inh, bnd uint64) uint64 {
	return inh&fc.Inheritable | fc.Permitted&bnd
}
