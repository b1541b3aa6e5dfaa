package box

import (
	"hood/internal/caps"
	"hood/internal/kernel/call"
	"hood/internal/result"
)

// Capset makes the box call capset(2) on itself with version 3 headers
// (two data structs: capabilities 0-31, then 32-63), narrated as strace
// decodes it:
//
//	capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0},
//	       {effective=1<<CAP_CHOWN|..., permitted=..., inheritable=0}) = 0
func (b *Box) Capset(effective, permitted, inheritable uint64) (result.Syscall, error) {
	r, err := b.c.call(opCapset, [4]int64{int64(effective), int64(permitted), int64(inheritable)}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("capset", r,
		call.P("{version=_LINUX_CAPABILITY_VERSION_3, pid=0}"),
		call.P("{effective="+caps.Strace(effective)+", permitted="+caps.Strace(permitted)+", inheritable="+caps.Strace(inheritable)+"}")), nil
}
