package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/tty"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "cgroup watch [GROUP] [--seconds N] [--interval MS]", Short: "a live view of a group: CPU %, memory against its limit, pids, throttling, OOM kills",
			Long: `Samples the group's files several times a second and draws how they move:
CPU use (from cpu.stat usage), memory against memory.max, pids against
pids.max, periods throttled and OOM kills since the watch began. On a
terminal it redraws in place until a key is pressed or N seconds pass
(default 60); in line mode it prints one line per sample for N seconds
(default 5). Start a workload first, in another box (burn, alloc, ...), or
set a limit and watch it bite.`,
			Flags: []string{"--seconds", "--interval"}, Args: []Arg{ArgBox}, Run: cgroupWatch},
		&Command{UsageLine: "cgroup tree [PATH]", Short: "a cgroup hierarchy with processes, CPU %, memory and pids per group; hood's groups marked",
			Long: `PATH is a directory under /sys/fs/cgroup; by default the directory that
holds hood/ in the hierarchy where memory is accounted. Three levels deep.`,
			Run: cgroupTree},
	)
}

// sample is one reading of a group.
type sample struct {
	at                         time.Time
	usage                      int64 // µs of CPU
	mem, memMax                int64 // bytes; memMax -1: no limit
	pids, pidsMax              int64
	throttled, periods, ooms   int64
	forksRefused, memLimitHits int64
}

func readSample(g *cgroup.Group) sample {
	s := sample{at: time.Now(), memMax: -1, pidsMax: -1}
	if v, _, err := g.Get("cpu.stat"); err == nil {
		kv := cgroup.KV(v)
		s.usage, s.throttled, s.periods = kv["usage_usec"], kv["nr_throttled"], kv["nr_periods"]
	}
	num := func(file string) int64 {
		v, _, err := g.Get(file)
		if err != nil {
			return -1
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	s.mem, s.memMax, s.pids, s.pidsMax = num("memory.current"), num("memory.max"), num("pids.current"), num("pids.max")
	if v, _, err := g.Get("memory.events"); err == nil {
		kv := cgroup.KV(v)
		s.ooms, s.memLimitHits = kv["oom_kill"], kv["max"]
	}
	if v, _, err := g.Get("pids.events"); err == nil {
		s.forksRefused = cgroup.KV(v)["max"]
	}
	return s
}

var bars = []rune("▁▂▃▄▅▆▇█")

// spark draws values (0..1) as a bar per sample.
func spark(vals []float64) string {
	var b strings.Builder
	for _, v := range vals {
		i := int(v * float64(len(bars)-1))
		i = max(0, min(i, len(bars)-1))
		b.WriteRune(bars[i])
	}
	return b.String()
}

func cgroupWatch(s *Session, args []string) (*result.Result, error) {
	const usage = "cgroup watch [GROUP] [--seconds N] [--interval MS]"
	seconds, interval := -1, 250
	var name string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--seconds", "--interval":
			if i+1 >= len(args) {
				return nil, result.Usagef(usage, "%s needs a number", a)
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n <= 0 || (a == "--seconds" && n > 3600) || (a == "--interval" && (n < 50 || n > 10000)) {
				return nil, result.Usagef(usage, "%s %q: seconds 1 to 3600, interval 50 to 10000 ms", a, args[i])
			}
			if a == "--seconds" {
				seconds = n
			} else {
				interval = n
			}
		default:
			if strings.HasPrefix(a, "-") || name != "" {
				return nil, result.Usagef(usage, "unexpected %q", a)
			}
			name = a
		}
	}
	r := &result.Result{}
	g, label, err := s.group(r, name)
	if err != nil {
		return r, err
	}
	live := s.Terminal
	if seconds < 0 {
		seconds = 5
		if live {
			seconds = 60
		}
	}
	var restore func()
	if live {
		if restore, err = tty.Keys(int(s.Stdin.Fd())); err != nil {
			live = false
		}
	}
	if restore != nil {
		defer restore()
	}
	out := s.Stdout
	first := readSample(g)
	prev := first
	var cpu, mem []float64
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	tick := time.Duration(interval) * time.Millisecond
	if live {
		fmt.Fprintf(out, "watching %s — any key stops\n", label)
	}
	for n := 0; time.Now().Before(deadline); n++ {
		if live {
			if tty.Pressed(int(s.Stdin.Fd()), tick) {
				break
			}
		} else {
			time.Sleep(tick)
		}
		cur := readSample(g)
		dt := cur.at.Sub(prev.at).Seconds()
		pct := float64(cur.usage-prev.usage) / 1e6 / dt * 100
		cpu = append(cpu, pct/100)
		if cur.memMax > 0 {
			mem = append(mem, float64(cur.mem)/float64(cur.memMax))
		} else {
			mem = append(mem, 0)
		}
		if len(cpu) > 40 {
			cpu, mem = cpu[1:], mem[1:]
		}
		limit := "no limit"
		if cur.memMax > 0 {
			limit = human(strconv.FormatInt(cur.memMax, 10))
		}
		pidsMax := "max"
		if cur.pidsMax >= 0 {
			pidsMax = strconv.FormatInt(cur.pidsMax, 10)
		}
		t := cur.at.Sub(first.at).Seconds()
		if live {
			// Four lines a frame; from the second frame on, go back up
			// to the first of them (the cursor ends on the fourth).
			if n > 0 {
				fmt.Fprint(out, "\x1b[3A")
			}
			fmt.Fprintf(out, "\r\x1b[K  cpu    %5.1f%%  %s\n\r\x1b[K  memory %8s of %-8s %s\n\r\x1b[K  pids   %d of %s (forks refused %+d)\n\r\x1b[K  throttled periods %+d   oom kills %+d   %.1fs",
				pct, spark(cpu), human(strconv.FormatInt(cur.mem, 10)), limit, spark(mem), cur.pids, pidsMax, cur.forksRefused-first.forksRefused,
				cur.throttled-first.throttled, cur.ooms-first.ooms, t)
		} else {
			fmt.Fprintf(out, "%5.1fs cpu %5.1f%% mem %s/%s pids %d/%s throttled %+d oom_kill %+d forks_refused %+d\n",
				t, pct, human(strconv.FormatInt(cur.mem, 10)), limit, cur.pids, pidsMax,
				cur.throttled-first.throttled, cur.ooms-first.ooms, cur.forksRefused-first.forksRefused)
		}
		prev = cur
	}
	if live {
		fmt.Fprintln(out)
	}
	last := readSample(g)
	el := last.at.Sub(first.at).Seconds()
	r.Say("overall", "cpu %.1f%% of one CPU over %.1fs, %d periods throttled, %d OOM kills, %d forks refused",
		float64(last.usage-first.usage)/1e6/el*100, el, last.throttled-first.throttled, last.ooms-first.ooms, last.forksRefused-first.forksRefused)
	r.Shell = "watch -n 0.25 cat cpu.stat memory.current pids.current  # in the group's directories"
	return r, nil
}

// cgroupTree walks one hierarchy.
func cgroupTree(s *Session, args []string) (*result.Result, error) {
	if len(args) > 1 {
		return nil, result.Usagef("cgroup tree [PATH]", "one path at a time")
	}
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	var root string
	var hier cgroup.Hierarchy
	for _, h := range hs {
		if h.V2 && len(readWordsFile(filepath.Join(h.Base(), "cgroup.subtree_control"))) > 0 || !h.V2 && containsStr(h.Controllers, "memory") {
			hier, root = h, h.Base()
			break
		}
	}
	if root == "" {
		hier, root = hs[0], hs[0].Base()
	}
	if len(args) == 1 {
		p := filepath.Clean(args[0])
		if !filepath.IsAbs(p) {
			p = filepath.Join(hier.Mount, p)
		}
		if !strings.HasPrefix(p, "/sys/fs/cgroup") {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s is not under /sys/fs/cgroup", p)}
		}
		root = p
	}
	if st, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil || st.IsDir() {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is not a cgroup directory (it has no cgroup.procs)", root)}
	}
	// Two readings of CPU use, a fifth of a second apart, give CPU %.
	type node struct {
		dir   string
		depth int
	}
	var nodes []node
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if len(nodes) >= 60 {
			return
		}
		nodes = append(nodes, node{dir, depth})
		if depth == 3 {
			return
		}
		ents, _ := os.ReadDir(dir)
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
		for _, e := range ents {
			if e.IsDir() {
				walk(filepath.Join(dir, e.Name()), depth+1)
			}
		}
	}
	walk(root, 0)
	usage := func(dir string) int64 {
		if v, err := os.ReadFile(filepath.Join(dir, "cpu.stat")); err == nil && hier.V2 {
			return cgroup.KV(string(v))["usage_usec"]
		}
		if v, err := os.ReadFile(filepath.Join(dir, "cpuacct.usage")); err == nil {
			n, _ := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
			return n / 1000
		}
		return -1
	}
	// On v1 each controller has its own tree, and hood's own cgroup may
	// sit at a different path in each: a group's place in another tree
	// is the same path relative to where hood's groups go there.
	base := hier.Base()
	in := func(ctl, dir string) string {
		if hier.V2 {
			return dir
		}
		rel, err := filepath.Rel(base, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = strings.TrimPrefix(dir, hier.Mount)
			for _, h := range hs {
				if containsStr(h.Controllers, ctl) {
					return filepath.Join(h.Mount, rel)
				}
			}
			return dir
		}
		for _, h := range hs {
			if containsStr(h.Controllers, ctl) {
				return filepath.Join(h.Base(), rel)
			}
		}
		return dir
	}
	cpuDir := func(dir string) string { return in("cpuacct", dir) }
	before := map[string]int64{}
	for _, n := range nodes {
		before[n.dir] = usage(cpuDir(n.dir))
	}
	t0 := time.Now()
	time.Sleep(200 * time.Millisecond)
	el := time.Since(t0).Seconds()
	t := &result.Table{Header: []string{"cgroup", "procs", "cpu %", "memory", "pids"}}
	for _, n := range nodes {
		name := filepath.Base(n.dir)
		if n.depth == 0 {
			name = n.dir
		}
		procs := "?"
		if data, err := os.ReadFile(filepath.Join(n.dir, "cgroup.procs")); err == nil {
			procs = strconv.Itoa(len(strings.Fields(string(data))))
		}
		cpu := "-"
		if b, a := before[n.dir], usage(cpuDir(n.dir)); b >= 0 && a >= 0 {
			cpu = fmt.Sprintf("%.1f", float64(a-b)/1e6/el*100)
		}
		memFile := "memory.current"
		if !hier.V2 {
			memFile = "memory.usage_in_bytes"
		}
		mem := "-"
		if v, err := os.ReadFile(filepath.Join(n.dir, memFile)); err == nil {
			mem = human(string(v))
		}
		pids := "-"
		if v, err := os.ReadFile(filepath.Join(in("pids", n.dir), "pids.current")); err == nil {
			pids = strings.TrimSpace(string(v))
		}
		t.Rows = append(t.Rows, []string{strings.Repeat("  ", n.depth) + name, procs, cpu, mem, pids})
		t.Mark = append(t.Mark, strings.Contains(n.dir, "/hood/") || strings.HasSuffix(n.dir, "/hood"))
	}
	r := &result.Result{Table: t}
	r.Say("hierarchy", "%s, mounted at %s", hier.Label(), hier.Mount)
	if len(nodes) >= 60 {
		r.Say("note", "only the first 60 groups are shown: give a PATH deeper down")
	}
	return r, nil
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
