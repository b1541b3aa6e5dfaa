package labs

import (
	"fmt"
	"strings"

	"hood/demo"
)

// Demo makes a demo of lab l from its reference solution (hood demo
// lab:ID): the lab's title and intro as captions, then each step's title
// as a caption, its text as the speaker's note and its solution lines as
// the commands (each may fail, as some do on purpose). A step this machine cannot run is left out, with a
// caption that says why, as the lab itself skips it.
func Demo(l *Lab) *demo.Script {
	s := &demo.Script{Name: "lab:" + l.ID, Title: l.Title, Minutes: l.Minutes, Needs: l.Needs}
	add := func(k demo.Kind, text string) { s.Items = append(s.Items, demo.Item{Kind: k, Text: text}) }
	add(demo.Caption, "Lab "+l.ID+": "+l.Title)
	if intro := firstSentence(l.Intro); intro != "" {
		add(demo.Note, intro)
	}
	for i, st := range l.Steps {
		if miss := missing(st.Needs, st.Rootless); len(miss) > 0 {
			add(demo.Caption, fmt.Sprintf("(Step %d, %s, is left out here: %s)", i+1, st.Title, strings.Join(miss, "; ")))
			continue
		}
		add(demo.Caption, fmt.Sprintf("Step %d: %s", i+1, st.Title))
		if t := strings.Join(strings.Fields(st.Text), " "); t != "" {
			add(demo.Note, t)
		}
		for _, line := range st.Solution {
			// a solution line may fail on purpose (ENOMEM, ESRCH): the
			// demo shows it and goes on, as lab --check does
			s.Items = append(s.Items, demo.Item{Kind: demo.Command, Text: line, MayFail: true, Line: i + 1})
		}
	}
	if out := firstSentence(l.Outro); out != "" {
		add(demo.Caption, out)
	}
	return s
}

// firstSentence is text's first sentence, on one line.
func firstSentence(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	if i := strings.Index(t, ". "); i >= 0 {
		t = t[:i+1]
	}
	return t
}
