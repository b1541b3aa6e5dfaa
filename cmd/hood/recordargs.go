package main

import (
	"errors"
	"strings"
)

// recordArgs takes --record FILE (or --record=FILE) and --overwrite out of
// hood's arguments, wherever they are, except as the value of an option
// that takes one (-c 'CMDS', lab --file F): found says whether --record
// was there. record_ctor.go finds --record the same way, before Go starts.
func recordArgs(args []string) (file string, overwrite bool, rest []string, found bool, err error) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "--file":
			rest = append(rest, a)
			if i+1 < len(args) {
				i++
				rest = append(rest, args[i])
			}
			continue
		case a == "--overwrite":
			overwrite = true
			continue
		case a == "--record" || strings.HasPrefix(a, "--record="):
		default:
			rest = append(rest, a)
			continue
		}
		if found {
			return "", false, nil, true, errors.New("--record is given twice: one recording at a time")
		}
		found = true
		if v, ok := strings.CutPrefix(a, "--record="); ok {
			file = v
		} else if i+1 < len(args) {
			i++
			file = args[i]
		}
		if file == "" || strings.HasPrefix(file, "-") {
			return "", false, nil, true, errors.New("--record needs the name of the file to write (--record FILE.cast)")
		}
	}
	if overwrite && !found {
		// hood's own option parsing names it as unknown.
		rest, overwrite = append(rest, "--overwrite"), false
	}
	return file, overwrite, rest, found, nil
}
