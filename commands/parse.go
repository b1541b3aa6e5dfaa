package commands

import (
	"fmt"
	"strings"
)

// Split cuts a line into commands (separated by ';') and each command into
// words, with sh-like quoting: 'single', "double" (where a backslash
// escapes " \ $ and `, as in sh), and a
// backslash outside quotes. An unquoted '#' at the start of a word begins a
// comment.
func Split(line string) ([][]string, error) {
	var cmds [][]string
	var words []string
	var cur strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	r := []rune(line)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\'':
			inWord = true
			j := i + 1
			for j < len(r) && r[j] != '\'' {
				j++
			}
			if j == len(r) {
				return nil, fmt.Errorf("unterminated ' quote")
			}
			cur.WriteString(string(r[i+1 : j]))
			i = j
		case c == '"':
			inWord = true
			j := i + 1
			for ; j < len(r) && r[j] != '"'; j++ {
				if r[j] == '\\' && j+1 < len(r) && strings.ContainsRune("\"\\$`", r[j+1]) {
					j++
				}
				cur.WriteRune(r[j])
			}
			if j == len(r) {
				return nil, fmt.Errorf("unterminated \" quote")
			}
			i = j
		case c == '\\':
			if i+1 < len(r) {
				i++
				cur.WriteRune(r[i])
				inWord = true
			}
		case c == ';':
			flushCmd()
		case c == '#' && !inWord:
			flushCmd()
			return cmds, nil
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			flushWord()
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	flushCmd()
	return cmds, nil
}
