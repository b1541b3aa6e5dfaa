// Package result holds what a command did and saw: the syscalls made with
// their results, the /proc and /sys entries that changed, the equivalent
// shell command and a sentence of meaning. Handlers fill it; render prints it.
package result

import (
	"fmt"

	"hood/internal/kernel/call"
)

// Syscall is one system call as made, with the kernel's answer (the one
// narrated-call type, package call).
type Syscall = call.Call

// Change is one observed entry before and after a command.
type Change struct {
	Path   string // "/proc/4242/ns/uts"
	Before string
	After  string
	Note   string // why it did or did not change
}

// Line is a labelled line of narration: "host  vm (unchanged: ...)".
type Line struct {
	Key   string
	Value string
}

// Table is tabular output; Mark flags rows render highlights.
type Table struct {
	Header []string
	Rows   [][]string
	Mark   []bool
}

// Result is everything one command reports.
type Result struct {
	Text     string // free text (help), printed first
	Table    *Table
	Syscalls []Syscall
	Folds    []Fold // runs of Syscalls brief narration shows as one line
	Changes  []Change
	Lines    []Line
	Shell    string // the equivalent util-linux / shell command
	Meaning  string
	JSON     any  // set when the user asked for --json: printed alone
	Clear    bool // clear the screen first (clear), on a terminal only
}

// Add appends syscalls in the order they were made.
func (r *Result) Add(calls ...Syscall) {
	r.Syscalls = append(r.Syscalls, calls...)
}

// Say appends a labelled line.
func (r *Result) Say(key, format string, args ...any) {
	r.Lines = append(r.Lines, Line{key, fmt.Sprintf(format, args...)})
}
