// Package render turns results into text: narration lines, tables, JSON,
// and errors, with colour only when asked (a terminal, no NO_COLOR, no
// --no-color). It is the only package that imports color and tablewriter.
package render
