package commands

import (
	"sort"
	"strings"

	"hood/internal/result"
	"hood/internal/spell"
)

// Arg kinds say what completes an argument position.
type Arg int

// What an argument position completes to.
const (
	ArgNone    Arg = iota
	ArgBox         // a box name
	ArgTarget      // a box name, host, self or a PID
	ArgNSType      // a namespace type or all; repeats
	ArgCommand     // a command name
	ArgWord        // fixed words, from Words
	ArgLab         // a lab id
	ArgTopic       // an explain topic
	ArgRootfs      // a root filesystem of hood's store
)

// Command is one entry of the command table. Its name is the leading
// lower-case words of UsageLine, as the go command derives its names;
// a word with | or [ is an argument ("narrate on|off").
type Command struct {
	UsageLine string
	Short     string // one line, for help and completion
	Long      string // help CMD
	Args      []Arg  // what completes each position; the last one repeats
	Words     []string
	Flags     []string // options, for completion and help
	Run       func(s *Session, args []string) (*result.Result, error)
}

// Name is the command's name: "box new" for "box new [NAME]".
func (c *Command) Name() string {
	var name []string
	for _, w := range strings.Fields(c.UsageLine) {
		if w == "" || w[0] < 'a' || w[0] > 'z' || strings.ContainsAny(w, "|[.") {
			break
		}
		name = append(name, w)
	}
	return strings.Join(name, " ")
}

// Usage is the error for words that do not fit this command.
func (c *Command) Usage(format string, args ...any) error {
	return result.Usagef(c.UsageLine, format, args...)
}

// table is every command, sorted by name. It is filled in init so that
// help can refer to the table it is part of.
var table []*Command

func register(cmds ...*Command) {
	table = append(table, cmds...)
	sorted = false
}

var sorted bool

// Table returns the command table, sorted by name.
func Table() []*Command {
	if !sorted {
		sort.Slice(table, func(i, j int) bool { return table[i].Name() < table[j].Name() })
		sorted = true
	}
	return table
}

// Lookup finds the command named by the leading words, longest name first,
// and returns it with the remaining words.
func Lookup(words []string) (*Command, []string) {
	var best *Command
	bestLen := 0
	for _, c := range Table() {
		n := strings.Fields(c.Name())
		if len(n) > len(words) || len(n) <= bestLen {
			continue
		}
		ok := true
		for i := range n {
			if n[i] != words[i] {
				ok = false
				break
			}
		}
		if ok {
			best, bestLen = c, len(n)
		}
	}
	if best == nil {
		return nil, words
	}
	return best, words[bestLen:]
}

// Group lists the commands whose name starts with the word: "box" gives
// box new, box ls, ...
func Group(word string) []*Command {
	var out []*Command
	for _, c := range Table() {
		if strings.HasPrefix(c.Name(), word+" ") {
			out = append(out, c)
		}
	}
	return out
}

// Nearest returns up to n command names closest to what was typed.
func Nearest(typed string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	seen := map[string]bool{}
	for _, c := range Table() {
		name := c.Name()
		for _, key := range []string{name, strings.Fields(name)[0]} {
			if seen[key] {
				continue
			}
			seen[key] = true
			d := spell.Distance(typed, key)
			if strings.HasPrefix(key, typed) {
				d = 0
			}
			cs = append(cs, cand{key, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	limit := max(2, len(typed)/2)
	for _, c := range cs {
		if len(out) == n || c.d > limit {
			break
		}
		out = append(out, c.name)
	}
	return out
}
