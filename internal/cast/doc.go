// Package cast writes what a terminal showed as an asciicast v2 file, the
// format `asciinema play` and the asciinema web player replay
// (https://docs.asciinema.org/manual/asciicast/v2/): newline-delimited
// JSON, a header object first,
//
//	{"version": 2, "width": 80, "height": 24, "timestamp": 1504467315, "title": "hood", "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"}}
//
// then one event per line, [seconds since the start, code, data]: "o" for
// output (the bytes the terminal was given, as a JSON string), "m" for a
// marker (a label; players can jump to it or pause there) and "r" for a
// resize ("COLSxROWS").
//
// JSON strings must be valid UTF-8, and a read from a terminal can end in
// the middle of a character: the Writer keeps such a tail for the next
// event, and replaces bytes that are no UTF-8 at all with U+FFFD.
//
// hood --record runs hood on a pseudo-terminal and copies what it writes;
// the hood inside marks each command line with an OSC sequence of its own
// (Mark), which the Stripper takes out of the stream, so that each marker
// sits exactly where the command began.
package cast
