package mount

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// The options a v1 cgroup mount takes besides controller names
// (cgroups(7), kernel/cgroup/cgroup-v1.c cgroup1_parse_param).
var cgroupV1Options = map[string]bool{"none": true, "all": true, "noprefix": true,
	"clone_children": true, "xattr": true, "cpuset_v2_mode": true, "favordynmods": true, "nofavordynmods": true}

// Controllers lists the cgroup controllers this kernel has, from
// /proc/cgroups:
//
//	#subsys_name	hierarchy	num_cgroups	enabled
//	cpuset	3	1	1
func Controllers(r io.Reader) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 4 && !strings.HasPrefix(f[0], "#") && f[3] == "1" {
			out = append(out, f[0])
		}
	}
	return out
}

// HostControllers is Controllers of the running kernel.
func HostControllers() []string {
	f, err := os.Open("/proc/cgroups")
	if err != nil {
		return nil
	}
	defer f.Close()
	return Controllers(f)
}

// UnknownCgroupOptions are the words of a v1 cgroup mount's data that are
// neither an option the cgroup filesystem takes nor a controller in known:
// the kernel answers EINVAL for each of them.
func UnknownCgroupOptions(data string, known []string) []string {
	have := map[string]bool{}
	for _, c := range known {
		have[c] = true
	}
	var bad []string
	for _, o := range strings.Split(data, ",") {
		if o == "" || cgroupV1Options[o] || have[o] || strings.HasPrefix(o, "name=") || strings.HasPrefix(o, "release_agent=") {
			continue
		}
		bad = append(bad, o)
	}
	return bad
}
