//go:build !amd64

package box

import "golang.org/x/sys/unix"

// rawMkdir: this architecture has no mkdir(2), only mkdirat(2).
func rawMkdir(string, uint32) error { return unix.ENOSYS }
