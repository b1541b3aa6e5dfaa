// Command hood-docgen writes docs/commands.md from hood's command table
// (commands.WriteDoc). Run it from the module root after changing a
// command; commands' TestGeneratedDoc fails until you do.
package main

import (
	"bytes"
	"fmt"
	"os"

	"hood/commands"
)

func main() {
	var b bytes.Buffer
	err := commands.WriteDoc(&b)
	if err == nil {
		err = os.WriteFile(commands.DocPath, b.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood-docgen:", err)
		os.Exit(1)
	}
}
