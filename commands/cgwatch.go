package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/tty"
	"hood/internal/render"
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
	)
}

var bars = []rune("▁▂▃▄▅▆▇█")

// sparkWidth is how many readings a sparkline shows: the rows of a frame
// fit 60 columns.
const sparkWidth = 24

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

// watchArgs parses cgroup watch's arguments; seconds is -1 when not given.
func watchArgs(args []string) (name string, seconds, interval int, err error) {
	const usage = "cgroup watch [GROUP] [--seconds N] [--interval MS]"
	seconds, interval = -1, 250
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--seconds", "--interval":
			if i+1 >= len(args) {
				return "", 0, 0, result.Usagef(usage, "%s needs a number", a)
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n <= 0 || (a == "--seconds" && n > 3600) || (a == "--interval" && (n < 50 || n > 10000)) {
				return "", 0, 0, result.Usagef(usage, "%s %q: seconds 1 to 3600, interval 50 to 10000 ms", a, args[i])
			}
			if a == "--seconds" {
				seconds = n
			} else {
				interval = n
			}
		default:
			if strings.HasPrefix(a, "-") || name != "" {
				return "", 0, 0, result.Usagef(usage, "unexpected %q", a)
			}
			name = a
		}
	}
	return name, seconds, interval, nil
}

func cgroupWatch(s *Session, args []string) (*result.Result, error) {
	name, seconds, interval, err := watchArgs(args)
	if err != nil {
		return nil, err
	}
	r, g, label, err := s.groupResult(name)
	if err != nil {
		return r, err
	}
	live := s.Terminal
	var restore func()
	if live {
		if restore, err = tty.Keys(int(s.Stdin.Fd())); err != nil {
			live = false
		}
	}
	if restore != nil {
		defer restore()
	}
	if seconds < 0 {
		seconds = 5
		if live {
			seconds = 60
		}
	}
	screen := &render.Live{W: s.Stdout, TTY: live}
	if live {
		screen.Title("watching " + label + " — any key stops")
	}
	w := &watch{first: g.Sample()}
	w.prev = w.first
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	tick := time.Duration(interval) * time.Millisecond
	for time.Now().Before(deadline) {
		if live {
			if tty.Pressed(int(s.Stdin.Fd()), tick) {
				break
			}
		} else {
			time.Sleep(tick)
		}
		screen.Draw(w.next(g.Sample()))
	}
	screen.End()
	last := g.Sample()
	r.Say("overall", "cpu %s of one CPU over %.1fs, %d periods throttled, %d OOM kills, %d forks refused",
		percent(last.CPUPercent(w.first)), last.At.Sub(w.first.At).Seconds(), cgroup.Since(last.Throttled, w.first.Throttled),
		cgroup.Since(last.OOMKills, w.first.OOMKills), cgroup.Since(last.ForksRefused, w.first.ForksRefused))
	r.Shell = "watch -n 0.25 cat cpu.stat memory.current pids.current  # in the group's directories"
	return r, nil
}

// watch turns readings of a group into frames: the first reading is what
// counts start from, the previous one what CPU use is measured against.
type watch struct {
	first, prev cgroup.Sample
	cpu, mem    []float64
}

func (w *watch) next(cur cgroup.Sample) render.Frame {
	pct := cur.CPUPercent(w.prev)
	w.prev = cur
	memFrac := 0.0
	if cur.MemMax > 0 && cur.Mem >= 0 {
		memFrac = float64(cur.Mem) / float64(cur.MemMax)
	}
	w.cpu, w.mem = append(w.cpu, max(pct, 0)/100), append(w.mem, memFrac)
	if len(w.cpu) > sparkWidth {
		w.cpu, w.mem = w.cpu[1:], w.mem[1:]
	}
	limit := "no limit"
	if cur.MemMax > 0 {
		limit = human(strconv.FormatInt(cur.MemMax, 10))
	}
	pidsMax := "max"
	if cur.PidsMax >= 0 {
		pidsMax = strconv.FormatInt(cur.PidsMax, 10)
	}
	mem, pids := count(cur.Mem, true), count(cur.Pids, false)
	throttled := cgroup.Since(cur.Throttled, w.first.Throttled)
	ooms := cgroup.Since(cur.OOMKills, w.first.OOMKills)
	refused := cgroup.Since(cur.ForksRefused, w.first.ForksRefused)
	t := cur.At.Sub(w.first.At).Seconds()
	return render.Frame{
		Rows: []string{
			fmt.Sprintf("  cpu    %6s  %s", percent(pct), spark(w.cpu)),
			fmt.Sprintf("  memory %6s of %-8s %s", mem, limit, spark(w.mem)),
			fmt.Sprintf("  pids   %s of %s (forks refused %+d)", pids, pidsMax, refused),
			fmt.Sprintf("  throttled %+d  oom kills %+d  %.1fs", throttled, ooms, t),
		},
		Line: fmt.Sprintf("%5.1fs cpu %s mem %s/%s pids %s/%s throttled %+d oom_kill %+d forks_refused %+d",
			t, percent(pct), mem, limit, pids, pidsMax, throttled, ooms, refused),
	}
}

// percent shows a CPU share; "-" when the group has no CPU counter.
func percent(p float64) string {
	if p < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// count shows a counter (bytes as K/M/G); "-" when the group has none.
func count(n int64, bytes bool) string {
	switch {
	case n < 0:
		return "-"
	case bytes:
		return human(strconv.FormatInt(n, 10))
	}
	return strconv.FormatInt(n, 10)
}
