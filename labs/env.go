package labs

import (
	"strconv"
	"strings"

	"hood/commands"
	"hood/internal/box"
)

// env is what checks look at: the session, where this step's events start,
// and what the host looked like when the lab started.
type env struct {
	s            *commands.Session
	mark         int // where this step's syscall events start
	measureMark  int // where this step's measurements start
	hostHostname string
}

// boxes resolves a box reference to the boxes it stands for.
func (e *env) boxes(ref string) []*box.Box {
	switch ref {
	case "", "current":
		if e.s.Current != nil {
			return []*box.Box{e.s.Current}
		}
		return nil
	case "any":
		return e.s.Boxes
	}
	if b := e.s.Box(ref); b != nil {
		return []*box.Box{b}
	}
	return nil
}

// anyBox passes when f passes for one of the boxes ref stands for.
func (e *env) anyBox(ref string, f func(b *box.Box) (bool, string)) (bool, string) {
	bs := e.boxes(ref)
	if len(bs) == 0 {
		if ref == "" || ref == "current" || ref == "any" {
			return false, "there is no box"
		}
		return false, "there is no box named " + ref
	}
	var why []string
	for _, b := range bs {
		ok, d := f(b)
		if ok {
			return true, d
		}
		why = append(why, d)
	}
	return false, strings.Join(why, "; ")
}

// expand replaces {hood} with hood's PID, {net} with the first three
// numbers of the net lab's /24 (172.22.0, or the next 172.22.N free on
// this host), {NAME} with box NAME's PID,
// {NAME.init} with the PID of its PID 1, {pins} with the directory that
// ns pin puts pins in and {loop}, {loop.dev}, {loop.name} with the last
// loop device attached.
func (e *env) expand(s string) string {
	var out strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := strings.IndexByte(s[i+1:], '}')
		if i < 0 || j < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		key := s[i+1 : i+1+j]
		s = s[i+2+j:]
		out.WriteString(e.placeholder(key))
	}
}

// placeholder is what {key} stands for, or {key} itself when nothing.
func (e *env) placeholder(key string) string {
	name, field, _ := strings.Cut(key, ".")
	switch {
	case name == "hood":
		return strconv.Itoa(e.s.HoodPID)
	case name == "net" && e.s.LabNet() != "":
		return e.s.LabNet()
	case name == "pins" && e.s.PinDir() != "":
		return e.s.PinDir()
	case name == "loop" && len(e.s.Loops()) > 0:
		d := e.s.Loops()[len(e.s.Loops())-1]
		switch field {
		case "dev":
			return d.Dev()
		case "name":
			return strings.TrimPrefix(d.Path, "/dev/")
		}
		return d.Path
	case e.boxes(name) != nil && field == "":
		return strconv.Itoa(e.boxes(name)[0].PID)
	case e.boxes(name) != nil && field == "init":
		return strconv.Itoa(e.s.LiveInit(e.boxes(name)[0]))
	}
	return "{" + key + "}"
}

// link is b's namespace link of typ, or the error in parentheses.
func (e *env) link(b *box.Box, typ string) string {
	l, err := e.s.Links(b.PID)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return l[typ]
}
