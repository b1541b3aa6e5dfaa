package commands

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pathArg says which words of a command are file paths, completed from
// the directories they name (relative ones from hood's working directory).
type pathArg struct {
	pos       []int    // positional words (flags and their values not counted); nil: every one
	valueOf   []string // flags taking a value, which is not a path
	pathFlags []string // flags whose value is a path
	pathLike  bool     // only a word that looks like a path (/, ./, ../ or a /)
}

// pathArgs are the commands that take a path, by name.
var pathArgs = map[string]pathArg{
	"rootfs import": {pos: []int{0}},
	"write":         {pos: []int{0}},
	"mount":         {valueOf: []string{"-t", "-o", "--move-into"}},
	"umount":        {pos: []int{0}},
	"chroot":        {pos: []int{0}},
	"pivot_root":    {pos: []int{0}, pathFlags: []string{"--put-old"}},
	"caps file":     {pos: []int{0}},
	"caps exec":     {pos: []int{0}, pathLike: true},
	"box export":    {pos: []int{}, pathFlags: []string{"--file"}},
	"enter":         {pos: []int{0}, pathLike: true},
	"ns unpin":      {pos: []int{0}, pathLike: true},
}

// wants reports whether the word after rest, partial so far, is a path.
func (p pathArg) wants(rest []string, partial string) bool {
	if n := len(rest); n > 0 && slices.Contains(p.pathFlags, rest[n-1]) {
		return true
	} else if n > 0 && slices.Contains(p.valueOf, rest[n-1]) {
		return false
	}
	if p.pathLike && !strings.HasPrefix(partial, ".") && !strings.Contains(partial, "/") {
		return false
	}
	pos := 0
	for i := 0; i < len(rest); i++ {
		switch {
		case slices.Contains(p.valueOf, rest[i]) || slices.Contains(p.pathFlags, rest[i]):
			i++
		case strings.HasPrefix(rest[i], "-"):
		default:
			pos++
		}
	}
	return p.pos == nil || slices.Contains(p.pos, pos)
}

// maxPaths bounds what one completion lists (a directory of thousands).
const maxPaths = 200

// completePath lists the files and directories partial can become:
// directories end in "/"; names starting with "." only when partial's last
// component does.
func completePath(partial string) []Suggestion {
	dir, base := "", partial
	if i := strings.LastIndexByte(partial, '/'); i >= 0 {
		dir, base = partial[:i+1], partial[i+1:]
	}
	read := dir
	if read == "" {
		read = "."
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil
	}
	var out []Suggestion
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(read, name)); err == nil && st.IsDir() {
				isDir = true
			}
		}
		if isDir {
			out = append(out, Suggestion{dir + name + "/", "directory"})
		} else {
			out = append(out, Suggestion{dir + name, ""})
		}
		if len(out) == maxPaths {
			break
		}
	}
	return out
}
