package commands

import (
	"sort"
	"strconv"
	"strings"

	"hood/explain"
	"hood/internal/kernel/netns"
	"hood/internal/kernel/ns"
)

// Suggestion is one completion candidate.
type Suggestion struct {
	Text string
	Desc string
}

// Complete returns candidates for the last word of line, the text before the
// cursor: command names first, then what the command's Args say.
func (s *Session) Complete(line string) []Suggestion {
	// Only the last command after a ';' matters.
	if i := strings.LastIndexByte(line, ';'); i >= 0 {
		line = line[i+1:]
	}
	words := strings.Fields(line)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var out []Suggestion
	add := func(text, desc string) {
		if strings.HasPrefix(text, partial) {
			out = append(out, Suggestion{text, desc})
		}
	}
	c, rest := Lookup(words)
	if c == nil {
		// Still typing the command name: complete the next word of any
		// name that begins with the words so far.
		prefix := strings.Join(words, " ")
		seen := map[string]bool{}
		for _, c := range Table() {
			name := strings.Fields(c.Name())
			if len(name) <= len(words) || strings.Join(name[:len(words)], " ") != prefix {
				continue
			}
			w := name[len(words)]
			if seen[w] {
				continue
			}
			seen[w] = true
			desc := c.Short
			if len(name) > len(words)+1 {
				desc = "…"
			}
			add(w, desc)
		}
		return out
	}
	if strings.HasPrefix(partial, "-") {
		for _, f := range c.Flags {
			add(f, "")
		}
		return out
	}
	if p, ok := pathArgs[c.Name()]; ok && p.wants(rest, partial) {
		out = append(out, completePath(partial)...)
	}
	if len(c.Args) == 0 {
		return out
	}
	pos := len(rest)
	if pos >= len(c.Args) {
		pos = len(c.Args) - 1
	}
	switch c.Args[pos] {
	case ArgBox:
		for _, n := range s.BoxNames() {
			add(n, "box")
		}
	case ArgTarget:
		for _, n := range s.BoxNames() {
			add(n, "box")
		}
		add("host", "hood's own namespaces")
		add("self", "the current box")
		for _, c := range s.runcs {
			add("runc:"+c.Name, "the runc container of rootfs "+c.Name)
		}
		for _, p := range s.pids() {
			add(strconv.Itoa(p), "a process of a box")
		}
		if c.Name() == "enter" || c.Name() == "net rule ls" {
			entries, _ := netns.List()
			for _, e := range entries {
				add(e.Name, "a named network namespace ("+netns.RunDir+")")
			}
		}
	case ArgNSType:
		for _, t := range ns.Types {
			add(t.Name, t.FlagName+": "+t.Isolates)
		}
		add("all", "every type")
	case ArgCommand:
		seen := map[string]bool{}
		for _, c := range Table() {
			n := strings.Fields(c.Name())[0]
			if !seen[n] {
				seen[n] = true
				add(n, c.Short)
			}
		}
	case ArgWord:
		for _, w := range c.Words {
			add(w, "")
		}
	case ArgTopic:
		// The words the last command showed that have an entry come
		// first (CLONE_NEWUTS after unshare uts), then every entry.
		if kb, err := explain.Load(); err == nil {
			first := map[string]bool{}
			for _, w := range s.seen {
				if kb.Get(w) != nil {
					first[w] = true
					add(w, "in the last output")
				}
			}
			for _, n := range kb.Names() {
				if !strings.Contains(n, " ") && !first[n] {
					add(n, "")
				}
			}
		}
	case ArgRootfs:
		if st, err := s.store(); err == nil {
			if ls, err := st.List(); err == nil {
				for _, in := range ls {
					add(in.Name, in.Pretty)
				}
			}
		}
	case ArgLab:
		if s.Lab != nil {
			for _, l := range s.Lab.List() {
				add(l[0], l[1])
			}
		}
	}
	return out
}

// pids lists the boxes and the processes below them.
func (s *Session) pids() []int {
	var out []int
	for _, b := range s.Boxes {
		out = append(out, b.PID)
		out = append(out, s.Proc().Descendants(b.PID)...)
	}
	sort.Ints(out)
	return out
}
