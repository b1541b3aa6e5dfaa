package repl

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/term"

	"hood/demo"
)

// Demo is how a demo script is played (hood demo).
type Demo struct {
	Script *demo.Script
	// Auto plays without waiting for keys, typing each character Pace
	// apart; a command that fails unexpectedly stops the demo.
	Auto bool
	Pace time.Duration
	// Notes, if set, gets the speaker's notes (#! lines) and what comes
	// next: a second terminal.
	Notes io.Writer
	// Expand fills in placeholders ({hood}, {net}) before a line is typed.
	Expand func(string) string
	// Keys is the speaker's terminal (stdin): read raw, one key at a time.
	Keys *os.File
}

// player plays one demo on a Runner.
type player struct {
	r   *Runner
	d   *Demo
	raw *term.State // the terminal's state while raw, to restore
	// ran, skipped and surprised count commands: run as the script
	// expects, skipped by the speaker (before or after a failure), meant
	// to fail but succeeded.
	ran, skipped, surprised int
}

type demoAction int

const (
	run demoAction = iota
	skip
	quit
)

// Demo plays d and returns hood's exit status: 0 when every command did
// what the script expected (or the speaker chose), 1 when --auto stopped
// at a failure or a command meant to fail succeeded.
func (r *Runner) Demo(d *Demo) int {
	p := &player{r: r, d: d}
	defer p.cooked()
	if d.Expand == nil {
		d.Expand = func(s string) string { return s }
	}
	n, total := 0, d.Script.Commands()
	for _, it := range d.Script.Items {
		if r.S.Done {
			return 0
		}
		r.measure()
		switch it.Kind {
		case demo.Caption:
			r.Out.Caption(it.Text)
		case demo.Note:
			p.note("#! " + it.Text)
		case demo.Pause:
			if p.pause() == quit {
				return 0
			}
		case demo.Command:
			n++
			p.note(fmt.Sprintf("── %d/%d (line %d): %s", n, total, it.Line, d.Expand(it.Text)))
			switch p.command(it) {
			case quit:
				return 0
			case skip:
				if d.Auto {
					r.Err.Notice(fmt.Sprintf("demo stopped at %s:%d, whose command failed. Without --auto, hood offers to retry it, skip it or go to the prompt.", d.Script.Name, it.Line))
					return 1
				}
			}
		}
	}
	r.Out.Notice(fmt.Sprintf("End of the demo %q: %d of %d commands ran as written, %d skipped.", d.Script.Title, p.ran, total, p.skipped))
	if p.surprised > 0 {
		r.Err.Notice(fmt.Sprintf("%d command(s) meant to fail succeeded: the machine is not the one the demo was written for.", p.surprised))
		if d.Auto {
			return 1
		}
	}
	if !d.Auto {
		r.Out.Notice("! opens the prompt for questions (Ctrl-D leaves it); any other key leaves hood.")
		k := p.key()
		p.cooked()
		if k == "!" {
			p.r.Out.Notice("The live prompt, in the same session: Ctrl-D leaves hood.")
			p.r.Prompt()
		}
	}
	return 0
}

// command types one command line, runs it, and handles a failure. It
// returns quit, skip (the speaker skipped it, or --auto stopped at its
// failure) or run.
func (p *player) command(it demo.Item) demoAction {
	line := p.d.Expand(it.Text)
	for retry := false; ; retry = true {
		if retry {
			// r: the same line again at once, as if Enter were pressed
			fmt.Fprintln(p.r.Out.W, p.r.Out.PromptText(p.r.S.Prompt())+p.r.Out.TypedText(line))
		} else if a := p.typeOut(line); a != run {
			return a
		}
		ok := p.r.Line(line)
		switch {
		case ok && it.Fails:
			p.surprised++
			p.r.Err.Notice(fmt.Sprintf("(%s:%d is meant to fail, and it succeeded)", p.d.Script.Name, it.Line))
			return run
		case ok || it.Fails || it.MayFail:
			p.ran++
			return run
		case p.d.Auto:
			return skip
		}
		switch p.menu(it) {
		case quit:
			return quit
		case skip:
			p.skipped++
			return run
		}
	}
}

// menu asks what to do after a command failed: r retries (run), s skips,
// ! opens the prompt and asks again, q quits.
func (p *player) menu(it demo.Item) demoAction {
	for {
		p.r.Err.Notice(fmt.Sprintf("%s:%d failed. r: retry · s: skip · !: the prompt · q: quit the demo", p.d.Script.Name, it.Line))
		for {
			k := p.key()
			p.cooked()
			switch {
			case k == "r" || k == "R" || k == "\r" || k == "\n":
				return run
			case k == "s" || k == "S":
				return skip
			case quitKey(k):
				return quit
			case k == "!":
				if p.detour() {
					return quit
				}
			default:
				continue
			}
			break
		}
	}
}

// pause waits for the speaker (--auto: 25 characters' time).
func (p *player) pause() demoAction {
	if p.d.Auto {
		time.Sleep(25 * p.d.Pace)
		return run
	}
	for {
		k := p.key()
		p.cooked()
		switch {
		case quitKey(k):
			return quit
		case k == "!":
			if p.detour() {
				return quit
			}
			continue
		}
		return run
	}
}

// typeOut shows the prompt and types line after it. With --auto it types
// a character every Pace. Otherwise each key the speaker presses types the
// next few characters; Enter types the rest and runs it. Before the first
// character, s skips the step, q quits and ! opens the prompt; after it,
// every key types, so that a speaker hitting keys cannot quit by mistake.
// Ctrl-C quits at any time.
func (p *player) typeOut(line string) demoAction {
	out := p.r.Out
	fmt.Fprint(out.W, out.PromptText(p.r.S.Prompt()))
	if p.d.Auto {
		for _, c := range line {
			fmt.Fprint(out.W, out.TypedText(string(c)))
			time.Sleep(p.d.Pace)
		}
		fmt.Fprintln(out.W)
		return run
	}
	chars := []rune(line)
	shown := 0
	for {
		k := p.key()
		switch {
		case k == "\x03" || shown == 0 && quitKey(k):
			p.cooked()
			p.unprompt()
			return quit
		case shown == 0 && (k == "s" || k == "S"):
			p.cooked()
			fmt.Fprintln(out.W, out.TypedText(line))
			p.r.Out.Notice("(skipped)")
			p.skipped++
			return skip
		case shown == 0 && k == "!":
			p.cooked()
			p.unprompt()
			if p.detour() {
				return quit
			}
			fmt.Fprint(out.W, out.PromptText(p.r.S.Prompt()))
		case k == "\r" || k == "\n":
			p.typeChars(chars[shown:], 12*time.Millisecond)
			p.cooked()
			fmt.Fprintln(out.W)
			return run
		case shown < len(chars):
			n := min(len(chars)-shown, 2+rand.IntN(3))
			p.typeChars(chars[shown:shown+n], 0)
			shown += n
		}
	}
}

// quitKey: q, Ctrl-C or Ctrl-D.
func quitKey(k string) bool { return k == "q" || k == "Q" || k == "\x03" || k == "\x04" }

// unprompt takes back the prompt typeOut showed, nothing typed after it:
// on a terminal the line is cleared, elsewhere it is ended.
func (p *player) unprompt() {
	if p.r.Out.TTY {
		fmt.Fprint(p.r.Out.W, "\r\x1b[2K")
		return
	}
	fmt.Fprintln(p.r.Out.W)
}

// typeChars writes chars with a human's jitter between them (or gap).
func (p *player) typeChars(chars []rune, gap time.Duration) {
	for i, c := range chars {
		if i > 0 {
			d := gap
			if d == 0 {
				d = time.Duration(20+rand.IntN(40)) * time.Millisecond
			}
			time.Sleep(d)
		}
		fmt.Fprint(p.r.Out.W, p.r.Out.TypedText(string(c)))
	}
}

// detour runs the live prompt in the same session until Ctrl-D; it
// reports whether the session ended there (exit).
func (p *player) detour() bool {
	p.cooked()
	p.r.Out.Notice("The live prompt, in the same session: Ctrl-D goes back to the demo.")
	p.r.Prompt()
	if p.r.S.Done {
		return true
	}
	p.r.Out.Notice("Back to the demo.")
	return false
}

// key reads one key (one read of the terminal: an arrow key's escape
// sequence is one key) with the terminal raw.
func (p *player) key() string {
	if p.d.Keys == nil {
		return "q"
	}
	if p.raw == nil {
		st, err := term.MakeRaw(int(p.d.Keys.Fd()))
		if err != nil {
			return "q"
		}
		p.raw = st
	}
	var buf [64]byte
	n, err := p.d.Keys.Read(buf[:])
	if err != nil || n == 0 {
		return "q" // the terminal is gone
	}
	return string(buf[:n])
}

// cooked gives the terminal back its state from before key.
func (p *player) cooked() {
	if p.raw != nil {
		_ = term.Restore(int(p.d.Keys.Fd()), p.raw)
		p.raw = nil
	}
}

// note writes a line to the speaker's notes terminal, if there is one.
func (p *player) note(s string) {
	if p.d.Notes != nil {
		fmt.Fprintln(p.d.Notes, s) // that terminal's own line discipline ends its lines
	}
}
