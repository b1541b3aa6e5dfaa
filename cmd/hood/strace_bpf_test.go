package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// bpf(2)'s attr as narrated ({prog_type=BPF_PROG_TYPE_CGROUP_DEVICE,
// insn_cnt=16, insns=&program, ...}) against strace -X raw's
// ({prog_type=0xf, insn_cnt=16, insns=0x7f..., ...}): every narrated field
// strace prints must have the same value; names stand for their numbers,
// &... is memory strace shows as an address and is not compared, and an
// fd's <path> is left off.

// bpfNames are the names hood narrates in bpf attrs.
var bpfNames = map[string]int64{
	"BPF_PROG_TYPE_CGROUP_DEVICE": unix.BPF_PROG_TYPE_CGROUP_DEVICE,
	"BPF_CGROUP_DEVICE":           unix.BPF_CGROUP_DEVICE,
	"BPF_F_ALLOW_MULTI":           unix.BPF_F_ALLOW_MULTI,
	"BPF_F_QUERY_EFFECTIVE":       unix.BPF_F_QUERY_EFFECTIVE,
}

// bpfUnshown are fields strace 6 does not print for some commands
// (BPF_PROG_DETACH's attach_bpf_fd).
var bpfUnshown = map[string]bool{"attach_bpf_fd": true}

// bpfAttrMismatch reports whether narrated is a bpf attr, and if so how
// got differs from it ("" when it does not).
func bpfAttrMismatch(narrated, got string) (string, bool) {
	ok := false
	for _, p := range []string{"{prog_type=", "{target_fd=", "{query=", "{info=", "{prog_id="} {
		ok = ok || strings.HasPrefix(narrated, p)
	}
	if !ok {
		return "", false
	}
	want, err := bpfFields(narrated, "")
	if err != nil {
		return "narrated " + narrated + ": " + err.Error(), true
	}
	have, err := bpfFields(got, "")
	if err != nil {
		return "strace shows " + got + ": " + err.Error(), true
	}
	for k, v := range want {
		h, shown := have[k]
		switch {
		case strings.HasPrefix(v, "&"):
		case !shown && bpfUnshown[k[strings.LastIndexByte(k, '.')+1:]]:
		case !shown || bpfValue(inOnly(h, v)) != bpfValue(v):
			return fmt.Sprintf("field %s: strace shows %s, narrated %s", k, got, narrated), true
		}
	}
	return "", true
}

// inOnly is strace's value without what the kernel wrote back ("80 =>
// 80" is 80) where the narration shows only what was passed.
func inOnly(got, narrated string) string {
	if strings.Contains(narrated, " => ") {
		return got
	}
	in, _, _ := strings.Cut(got, " => ")
	return in
}

// bpfValue is a field's value as compared: a number in decimal where it
// is one (a name, 0x.., an fd with its path), else the text.
func bpfValue(v string) string {
	if i := strings.IndexByte(v, '<'); i > 0 {
		v = v[:i]
	}
	if n, ok := bpfNames[v]; ok {
		return strconv.FormatInt(n, 10)
	}
	in, out, arrow := strings.Cut(v, " => ")
	if n, err := strconv.ParseInt(in, 0, 64); err == nil {
		if arrow {
			return strconv.FormatInt(n, 10) + " => " + bpfValue(out)
		}
		return strconv.FormatInt(n, 10)
	}
	return v
}

// bpfFields reads {key=value, ...} into prefix+key -> value, a nested
// struct's fields as key.field.
func bpfFields(s, prefix string) (map[string]string, error) {
	body, open := strings.CutPrefix(s, "{")
	body, closed := strings.CutSuffix(body, "}")
	if !open || !closed {
		return nil, fmt.Errorf("not a {...} struct")
	}
	out := map[string]string{}
	for _, f := range splitTop(body) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("field %q has no =", f)
		}
		if strings.HasPrefix(v, "{") {
			inner, err := bpfFields(v, prefix+k+".")
			if err != nil {
				return nil, err
			}
			for ik, iv := range inner {
				out[ik] = iv
			}
			continue
		}
		out[prefix+k] = v
	}
	return out, nil
}

// splitTop splits at the ", " that are outside braces, brackets and quotes.
func splitTop(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '{' || c == '[' || c == '(':
			depth++
		case c == '}' || c == ']' || c == ')':
			depth--
		case depth == 0 && c == ',' && i+1 < len(s) && s[i+1] == ' ':
			out = append(out, s[start:i])
			start = i + 2
		}
	}
	return append(out, s[start:])
}
