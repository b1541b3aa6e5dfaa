package commands

import (
	"fmt"
	"strings"

	"hood/explain"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "explain [WORD] [--more]", Short: "what a word hood printed means: a flag, syscall, file, errno, capability, concept or command",
		Long: `explain WORD answers with a short text, related words, where to read more
and a command to try. WORD is anything hood shows: CLONE_NEWUTS, 0x04000000,
0x20020000 (decoded into its flags), pid_for_children, cpu.max, nr_throttled,
EBUSY, CAP_SYS_ADMIN, CapEff, mountinfo, "box new". Case does not matter, a
unique prefix of three letters or more is enough. --more adds the details. Without WORD: the topics,
by group.`,
		Flags: []string{"--more"}, Args: []Arg{ArgTopic}, Run: explainCmd})
}

func explainCmd(s *Session, args []string) (*result.Result, error) {
	more := false
	var words []string
	for _, a := range args {
		if a == "--more" {
			more = true
			continue
		}
		words = append(words, a)
	}
	return Explain(strings.Join(words, " "), more)
}

// Explain answers explain WORD; hood explain WORD uses it outside the REPL.
func Explain(word string, more bool) (*result.Result, error) {
	kb, err := explain.Load()
	if err != nil {
		return nil, fmt.Errorf("the knowledge base does not load: %w", err)
	}
	if word == "" {
		return topics(kb), nil
	}
	a := kb.Find(word)
	switch {
	case a.Entry != nil:
		return entryResult(a.Entry, more), nil
	case len(a.Flags) > 0:
		var names []string
		for _, f := range a.Flags {
			names = append(names, f.Name)
		}
		r := &result.Result{Text: fmt.Sprintf("%s is %s:", word, strings.Join(names, "|"))}
		for _, f := range a.Flags {
			r.Say(f.Name, "%s", strings.TrimSpace(f.Title))
		}
		if a.Rest != 0 {
			r.Say("other", "%#x: bits that are not namespace flags (clone(2) has more flags: CLONE_VM, CLONE_FILES, ...)", a.Rest)
		}
		r.Say("more", "explain %s", names[0])
		return r, nil
	case len(a.Similar) > 0:
		return nil, &result.UsageError{Msg: fmt.Sprintf("no entry %q; did you mean %s? (explain with no word lists the topics)", word, strings.Join(a.Similar, ", "))}
	}
	return nil, &result.UsageError{Msg: fmt.Sprintf("no entry %q (explain with no word lists the topics)", word)}
}

func entryResult(e *explain.Entry, more bool) *result.Result {
	c := commandNamed(e.Name)
	title := strings.TrimSpace(e.Title)
	if e.Group == explain.CommandGroup && c != nil {
		// The table is the one source of a command's usage and summary.
		title = c.UsageLine + "\n" + c.Short
	}
	text := title + "\n\n" + strings.TrimSpace(e.Short)
	if more && e.Details != "" {
		text += "\n\n" + strings.TrimSpace(e.Details)
	}
	r := &result.Result{Text: text}
	if more {
		// What hood says when a call it makes answers this errno.
		whys, _ := explain.Whys(e.Name)
		for _, w := range whys {
			r.Say("for "+w.Call, "%s", w.Why)
		}
	}
	if len(e.See) > 0 {
		r.Say("see also", "%s", strings.Join(e.See, ", "))
	}
	if e.Man != "" {
		r.Say("read", "%s", e.Man)
	}
	if e.Try != "" {
		r.Say("try", "%s", e.Try)
	}
	if e.Group != explain.CommandGroup && c != nil {
		// A syscall that is also a command (kill, mount, unshare, write).
		r.Say("command", "hood's %s: %s (help %s)", c.Name(), c.Short, c.Name())
	}
	if !more && e.Details != "" {
		r.Say("more", "explain %s --more", quoteWord(e.Name))
	}
	return r
}

// commandNamed is the command of exactly that name, or nil.
func commandNamed(name string) *Command {
	c, rest := Lookup(strings.Fields(name))
	if c == nil || len(rest) > 0 || c.Name() != name {
		return nil
	}
	return c
}

func quoteWord(w string) string {
	if strings.ContainsAny(w, " '") {
		return `"` + w + `"`
	}
	return w
}

func topics(kb *explain.KB) *result.Result {
	var b strings.Builder
	for _, f := range kb.Files {
		fmt.Fprintf(&b, "%s (%d): %s\n", f.Group, len(f.Entries), f.About)
		var names []string
		for _, e := range f.Entries {
			names = append(names, e.Name)
		}
		b.WriteString(wrap("  ", strings.Join(names, ", "), 78))
		b.WriteString("\n")
	}
	b.WriteString("explain WORD for one; Tab completes the words.")
	return &result.Result{Text: b.String()}
}

// wrap folds a comma-separated list at width, indenting every line.
func wrap(indent, s string, width int) string {
	var out, line strings.Builder
	line.WriteString(indent)
	for i, w := range strings.Split(s, ", ") {
		piece := w
		if i > 0 {
			piece = ", " + w
		}
		if line.Len()+len(piece) > width && line.Len() > len(indent) {
			out.WriteString(line.String() + ",\n")
			line.Reset()
			line.WriteString(indent + w)
			continue
		}
		line.WriteString(piece)
	}
	out.WriteString(line.String())
	return out.String()
}
