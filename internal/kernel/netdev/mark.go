package netdev

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// MarkPrefix begins the alias (IFLA_IFALIAS) of every host-side veth end
// hood makes: "hood:" and the owner token of the hood that made it (see
// cgroup.Token), so that cleanup removes only a dead hood's devices.
const MarkPrefix = "hood:"

// Mark is the alias for a host end made by the hood with owner token tok.
func Mark(tok string) string { return MarkPrefix + tok }

// Owner is the owner token in a device's alias, or "" when hood did not
// mark it.
func Owner(alias string) string {
	tok, ok := strings.CutPrefix(alias, MarkPrefix)
	if !ok {
		return ""
	}
	return tok
}

// CleanupStale deletes the devices in hood's own network namespace whose
// mark names a hood that is gone (alive says whether a token's hood
// lives), and returns their names. Deleting one end of a veth pair
// deletes the other, wherever it is.
func CleanupStale(procRoot string, alive func(token string) bool) ([]string, error) {
	n, err := Open(procRoot, os.Getpid(), "host")
	if err != nil {
		return nil, err
	}
	defer n.Close()
	ls, err := n.Links()
	if err != nil {
		return nil, err
	}
	var gone []string
	var firstErr error
	for _, l := range ls {
		tok := Owner(l.Alias)
		if tok == "" || alive(tok) {
			continue
		}
		if _, err := n.Delete(l.Name); err != nil {
			// Gone meanwhile: its peer's namespace died (its last holder, a
			// /run/netns name, was removed just before) and took it along.
			var nd *NoDevice
			if !errors.As(err, &nd) && !errors.Is(err, unix.ENODEV) && firstErr == nil {
				firstErr = err
			}
			continue
		}
		gone = append(gone, l.Name)
	}
	return gone, firstErr
}
