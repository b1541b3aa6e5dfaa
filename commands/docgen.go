package commands

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// DocPath is where WriteDoc's output lives, from the module root;
// cmd/hood-docgen writes it and TestGeneratedDoc fails when it is stale.
const DocPath = "docs/commands.md"

// DocCommand is how to regenerate DocPath.
const DocCommand = "go run ./cmd/hood-docgen"

// WriteDoc writes the command reference from the table alone, as delve's
// docgen writes its CLI reference: an index, then for each command its
// usage line, summary, long help and flags. Nothing is written by hand, so
// help and the docs cannot disagree.
func WriteDoc(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# hood commands\n\n")
	fmt.Fprintf(bw, "Generated from the command table (commands/*.go) by `%s`; do not edit.\n", DocCommand)
	fmt.Fprintf(bw, "Inside hood, `help CMD` shows the same text and `explain CMD` what the kernel does.\n\n")
	fmt.Fprintf(bw, "Command | Summary\n--- | ---\n")
	for _, c := range Table() {
		fmt.Fprintf(bw, "[%s](#%s) | %s\n", c.Name(), anchor(c.Name()), strings.ReplaceAll(c.Short, "|", `\|`))
	}
	for _, c := range Table() {
		writeCommand(bw, c)
	}
	return bw.Flush()
}

func writeCommand(w io.Writer, c *Command) {
	fmt.Fprintf(w, "\n## %s\n\n```\n%s\n```\n\n%s.\n", c.Name(), c.UsageLine, strings.TrimSuffix(c.Short, "."))
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s", markdown(c.Long))
	}
	if len(c.Flags) > 0 {
		fmt.Fprintf(w, "\nFlags: `%s`.\n", strings.Join(c.Flags, "`, `"))
	}
}

// markdown keeps the long help's layout: a paragraph stays text, and a block
// whose lines are all indented (a table of options) becomes a code block,
// which Markdown would otherwise run into one line.
func markdown(long string) string {
	var b strings.Builder
	for i, block := range strings.Split(strings.TrimSpace(long), "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		if indented(block) {
			fmt.Fprintf(&b, "```\n%s\n```\n", block)
		} else {
			fmt.Fprintf(&b, "%s\n", block)
		}
	}
	return b.String()
}

func indented(block string) bool {
	for _, l := range strings.Split(block, "\n") {
		if !strings.HasPrefix(l, " ") {
			return false
		}
	}
	return true
}

// anchor is the id GitHub gives a heading: lower case, spaces to hyphens.
func anchor(name string) string { return strings.ReplaceAll(strings.ToLower(name), " ", "-") }
