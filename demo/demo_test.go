package demo

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	s, err := Parse([]byte(`@title A talk
@minutes 3
@needs root cgroup
# one caption
# in two lines
#! a note

unshare uts
pause
# another
@fails
kill 1
`), "t.demo")
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "A talk" || s.Minutes != 3 || strings.Join(s.Needs, ",") != "root,cgroup" {
		t.Errorf("metadata: %+v", s)
	}
	want := []Item{
		{Kind: Caption, Text: "one caption\nin two lines", Line: 4},
		{Kind: Note, Text: "a note", Line: 6},
		{Kind: Command, Text: "unshare uts", Line: 8},
		{Kind: Pause, Line: 9},
		{Kind: Caption, Text: "another", Line: 10},
		{Kind: Command, Text: "kill 1", Fails: true, Line: 12},
	}
	if len(s.Items) != len(want) {
		t.Fatalf("items: got %+v", s.Items)
	}
	for i := range want {
		if s.Items[i] != want[i] {
			t.Errorf("item %d: got %+v, want %+v", i, s.Items[i], want[i])
		}
	}
	if s.Commands() != 2 {
		t.Errorf("Commands() = %d", s.Commands())
	}
}

func TestParseTitleFromCaption(t *testing.T) {
	s, err := Parse([]byte("# First caption\n# more\nunshare uts\n"), "t")
	if err != nil || s.Title != "First caption" {
		t.Fatalf("got %+v, %v", s, err)
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"@minutes five\nunshare uts\n": "t:1: @minutes takes a whole number",
		"@bogus\nunshare uts\n":        "t:1: unknown directive @bogus",
		"@fails\npause\nunshare uts\n": "t:2: @fails must come right before a command line",
		"unshare uts\n@fails\n":        "@fails at the end",
		"@fails now\nunshare uts\n":    "t:1: @fails stands alone",
		"# only a caption\npause\n":    "no command line",
	} {
		_, err := Parse([]byte(in), "t")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): got %v, want an error with %q", in, err, want)
		}
	}
}

func TestBuiltin(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 6 || all[0].Name != First {
		t.Fatalf("want at least six demos, %s first; got %d", First, len(all))
	}
	for _, s := range all {
		if s.Title == "" || s.Minutes == 0 {
			t.Errorf("%s: no @title or @minutes", s.Name)
		}
	}
	if _, err := Find("no-such-demo"); err == nil || !strings.Contains(err.Error(), First) {
		t.Errorf("Find of an unknown name: %v", err)
	}
}

func TestWrite(t *testing.T) {
	data := Write("From my session", []string{"unshare uts", "hostname x", "run hostname"}, []string{"", "lab uts step 2", ""})
	s, err := Parse(data, "w")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if s.Title != "From my session" || s.Commands() != 3 || s.Items[2].Kind != Caption || s.Items[2].Text != "lab uts step 2" {
		t.Errorf("Write gave:\n%s", data)
	}
}
