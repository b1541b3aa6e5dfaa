package box

import (
	"bytes"
	"os"
	"strconv"
)

// Descendants lists every process below pid, read from the PPid field of
// procRoot/PID/status (children first met, then theirs). Processes that go
// away during the scan are skipped.
//
//	/proc/PID/status:  "PPid:\t4242\n"
func Descendants(procRoot string, pid int) []int {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(procRoot + "/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		i := bytes.Index(data, []byte("\nPPid:"))
		if i < 0 {
			continue
		}
		rest := data[i+len("\nPPid:"):]
		if j := bytes.IndexByte(rest, '\n'); j >= 0 {
			rest = rest[:j]
		}
		pp, err := strconv.Atoi(string(bytes.TrimSpace(rest)))
		if err != nil {
			continue
		}
		children[pp] = append(children[pp], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
