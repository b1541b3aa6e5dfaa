package box

import "debug/elf"

// SelfStatic tells whether hood's own binary is statically linked (no
// PT_INTERP program header naming a loader). Probes run from that binary
// inside the box: after chroot or pivot_root into a rootfs that has no
// loader, only a static hood can start them.
func SelfStatic() bool {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
