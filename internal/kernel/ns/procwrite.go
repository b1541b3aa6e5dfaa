package ns

import (
	"fmt"
	"os"
	"strings"

	"hood/internal/kernel/call"
)

// ProcWrite is hood writing one of a process's namespace control files
// (setgroups, uid_map, gid_map: user_namespaces(7); timens_offsets:
// time_namespaces(7)), with the file's content before and after.
type ProcWrite struct {
	Path          string
	Before, After string
	Calls         []call.Call
}

// WriteProc writes content to /proc/PID/FILE below procRoot, as hood (the
// writer's privileges over the namespace are what the kernel checks).
func WriteProc(procRoot string, pid int, file, content string) (ProcWrite, error) {
	w := ProcWrite{Path: fmt.Sprintf("%s/%d/%s", procRoot, pid, file)}
	w.Before = readShown(w.Path)
	calls, err := call.WriteFile("hood", os.Getpid(), w.Path, content)
	w.Calls = calls
	w.After = readShown(w.Path)
	return w, err
}

// readShown is a control file's content on one line, "(empty)" when it
// has none.
func readShown(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	s := strings.TrimSpace(string(b))
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " | ")), " ")
	if s == "" {
		return "(empty)"
	}
	return s
}

// IDRange is one line of uid_map or gid_map: Count IDs from Inside (in the
// namespace) map to those from Outside (in the parent namespace).
type IDRange struct{ Inside, Outside, Count uint32 }

// MapLines is the content of a uid_map or gid_map for ranges.
func MapLines(ranges []IDRange) string {
	var b strings.Builder
	for _, r := range ranges {
		fmt.Fprintf(&b, "%d %d %d\n", r.Inside, r.Outside, r.Count)
	}
	return b.String()
}
