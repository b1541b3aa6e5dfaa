package labs

import "hood/commands"

// Expand fills in a line's placeholders as a lab's solution lines are
// ({hood}, {net}, {box1}, ...: see env.expand), for demos built from the
// labs' reference solutions.
func Expand(s *commands.Session, line string) string {
	e := env{s: s}
	return e.expand(line)
}

// Missing lists what the machine lacks for the requirements needs (the
// names a lab's needs: takes), one line each; none when all hold, and an
// error line for a name that is not a requirement.
func Missing(needs []string) []string { return missing(needs) }
