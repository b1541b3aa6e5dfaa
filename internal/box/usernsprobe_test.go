package box

import (
	"os/exec"
	"strconv"
	"testing"

	"hood/internal/testenv"
)

// The userns probe, run by root for nobody, agrees with unshare -r run as
// nobody: both make a user namespace and write uid_map, or both fail.
func TestTryUserNS(t *testing.T) {
	testenv.Root(t)
	for _, uid := range []int{0, 65534} {
		got, err := TryUserNS(uid, uid)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Dropped || got.UID != uid {
			t.Fatalf("uid %d: %+v", uid, got)
		}
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("needs setpriv and unshare (util-linux) to compare")
		}
		cmd := exec.Command("setpriv", "--reuid", strconv.Itoa(uid), "--regid", strconv.Itoa(uid), "--clear-groups", "unshare", "--user", "--map-root-user", "true")
		worked := cmd.Run() == nil
		un, um := got.Errnos()
		if worked != (un == "" && um == "") {
			t.Errorf("uid %d: unshare -r worked %v; the probe: unshare %q, uid_map %q", uid, worked, un, um)
		}
	}
}
