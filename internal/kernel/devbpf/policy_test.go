package devbpf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"hood/internal/kernel/cgroup"
)

func rule(t *testing.T, s string) cgroup.DeviceRule {
	t.Helper()
	r, err := cgroup.ParseDeviceRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// policyOf adds "deny RULE" / "allow RULE" lines in order.
func policyOf(t *testing.T, lines ...string) Policy {
	p := AllowAll
	for _, l := range lines {
		v, r, _ := strings.Cut(l, " ")
		p = p.Add(v == "allow", rule(t, r))
	}
	return p
}

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{nil, "else allow"},
		{[]string{"deny c 1:3 rw"}, "deny c 1:3 rw; else allow"},
		{[]string{"deny c 1:3 rw", "allow c 1:3 rw"}, "else allow"},
		{[]string{"deny c 1:3 rw", "deny a"}, "else deny"},
		{[]string{"deny a", "allow c 1:3 rw"}, "allow c 1:3 rw; else deny"},
		{[]string{"deny a", "allow c 1:3 rw", "allow c 1:5 rwm", "deny c 1:3 rw"}, "deny c 1:3 rw; allow c 1:5 rwm; else deny"},
		{[]string{"deny a", "allow c *:* m", "deny c 1:3 m"}, "deny c 1:3 m; allow c *:* m; else deny"},
		{[]string{"deny b 8:* rw", "allow a"}, "else allow"},
	} {
		if got := policyOf(t, tc.lines...).String(); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.lines, got, tc.want)
		}
	}
}

func TestAllows(t *testing.T) {
	p := policyOf(t, "deny a", "allow c 1:3 rw", "allow c 5:* rwm", "deny c 5:1 w")
	for _, tc := range []struct {
		typ          byte
		major, minor int64
		acc          string
		want         bool
	}{
		{'c', 1, 3, "r", true}, {'c', 1, 3, "rw", true}, {'c', 1, 3, "m", false},
		{'c', 1, 5, "r", false}, {'b', 1, 3, "r", false},
		{'c', 5, 0, "rw", true}, {'c', 5, 1, "r", true}, {'c', 5, 1, "rw", false},
	} {
		if got := p.Allows(tc.typ, tc.major, tc.minor, tc.acc); got != tc.want {
			t.Errorf("%s: %c %d:%d %s: %v, want %v", p, tc.typ, tc.major, tc.minor, tc.acc, got, tc.want)
		}
	}
}

// TestRoundTrip: rules -> program -> bytes -> instructions -> rules.
func TestRoundTrip(t *testing.T) {
	for _, p := range []Policy{
		AllowAll,
		{Default: false},
		policyOf(t, "deny c 1:3 rw"),
		policyOf(t, "deny a", "allow c 1:3 rw", "allow c *:* m", "allow b 8:0 r", "deny c 136:* rwm", "deny c 4294967295:7 w"),
		// runc's deny rules test every access asked
		{Rules: []Rule{{DeviceRule: rule(t, "b 8:* rw"), Allow: false, Partial: false}}, Default: true},
	} {
		insns, err := Build(p)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Encode(insns)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(back)
		if err != nil {
			t.Fatalf("%s: %v\n%v", p, err, back)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("decoded %s, built from %s\n%v", got, p, back)
		}
	}
}

// TestDecodeRunc: runc's program for its default devices (the shape of
// opencontainers/cgroups devicefilter's allow list), written out here.
func TestDecodeRunc(t *testing.T) {
	j := func(op asm.JumpOp, r asm.Register, v int32, to string) asm.Instruction { return op.Imm(r, v, to) }
	insns := append(asm.Instructions(nil), prologue...)
	insns = append(insns,
		j(asm.JNE, asm.R2, devChar, "b1"), asm.Mov.Reg32(asm.R1, asm.R3), asm.And.Imm32(asm.R1, accMknod),
		asm.JNE.Reg(asm.R1, asm.R3, "b1"), asm.Mov.Imm32(asm.R0, 1), asm.Return(),
		j(asm.JNE, asm.R2, devChar, "b2").WithSymbol("b1"), j(asm.JNE, asm.R4, 136, "b2"), asm.Mov.Imm32(asm.R0, 1), asm.Return(),
		asm.Mov.Imm32(asm.R0, 0).WithSymbol("b2"), asm.Return())
	raw, err := Encode(insns)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := Parse(raw)
	p, err := Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	if want := "allow c *:* m; allow c 136:* rwm; else deny"; p.String() != want {
		t.Errorf("%s, want %s", p, want)
	}
}

// TestDecodeForeign: programs of another shape are refused, saying where.
func TestDecodeForeign(t *testing.T) {
	ok, _ := Build(policyOf(t, "deny c 1:3 rw"))
	for name, insns := range map[string]asm.Instructions{
		"empty":       nil,
		"no prologue": {asm.Mov.Imm32(asm.R0, 1), asm.Return()},
		"return 2":    append(append(asm.Instructions(nil), prologue...), asm.Mov.Imm32(asm.R0, 2), asm.Return()),
		"trailing":    append(append(asm.Instructions(nil), ok...), asm.Return()),
		"no return":   ok[:len(ok)-1],
	} {
		raw, err := Encode(insns)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := Parse(raw)
		if p, err := Decode(back); err == nil {
			t.Errorf("%s: decoded as %s", name, p)
		}
	}
}
