package devbpf

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"hood/internal/kernel/cgroup"
)

// Decode reads a program of the shape Build makes (and runc's
// devicefilter, which is the same shape) back into its policy. Any other
// program is an error saying at which instruction the shape ended: the
// kernel runs it all the same, but hood cannot say it in rules.
func Decode(insns asm.Instructions) (Policy, error) {
	var p Policy
	if len(insns) < len(prologue) {
		return p, fmt.Errorf("%d instructions: shorter than the context reads every device program of this shape starts with", len(insns))
	}
	for i, want := range prologue {
		if !same(insns[i], want) {
			return p, fmt.Errorf("instruction %d is %v, not the context read %v", i, insns[i], want)
		}
	}
	d := decoder{insns: insns, i: len(prologue)}
	for {
		if v, ok := d.ret(); ok {
			if d.i != len(insns) {
				return p, fmt.Errorf("instruction %d follows the program's last return", d.i)
			}
			p.Default = v
			return p, nil
		}
		r, err := d.rule()
		if err != nil {
			return p, err
		}
		p.Rules = append(p.Rules, r)
	}
}

type decoder struct {
	insns asm.Instructions
	i     int
}

// same compares what the kernel keeps of an instruction.
func same(a, b asm.Instruction) bool {
	return a.OpCode == b.OpCode && a.Dst == b.Dst && a.Src == b.Src && a.Offset == b.Offset && a.Constant == b.Constant
}

// at is instruction i, or a no-op opcode past the end.
func (d *decoder) at(i int) asm.Instruction {
	if i < len(d.insns) {
		return d.insns[i]
	}
	return asm.Instruction{OpCode: asm.InvalidOpCode}
}

// ret reads "R0 = 0 or 1; exit".
func (d *decoder) ret() (bool, bool) {
	mov, exit := d.at(d.i), d.at(d.i+1)
	if mov.OpCode != asm.Mov.Op32(asm.ImmSource) || mov.Dst != asm.R0 || exit.OpCode != asm.Return().OpCode {
		return false, false
	}
	if mov.Constant != 0 && mov.Constant != 1 {
		return false, false
	}
	d.i += 2
	return mov.Constant == 1, true
}

// jump reads a conditional jump on reg to the rule's end (next, or it sets
// next from the first). It returns the immediate it compares with.
func (d *decoder) jump(op asm.JumpOp, reg asm.Register, next *int) (int64, bool) {
	ins := d.at(d.i)
	if ins.OpCode != op.Op(asm.ImmSource) || ins.Dst != reg {
		return 0, false
	}
	to := d.i + 1 + int(ins.Offset)
	if *next == 0 {
		*next = to
	} else if to != *next {
		return 0, false
	}
	d.i++
	return ins.Constant, true
}

// rule reads one rule's block.
func (d *decoder) rule() (Rule, error) {
	start := d.i
	bad := func(what string) (Rule, error) {
		return Rule{}, fmt.Errorf("the rule at instruction %d: instruction %d (%v) is not %s", start, d.i, d.at(d.i), what)
	}
	var next int
	r := Rule{DeviceRule: cgroup.DeviceRule{Major: cgroup.Any, Minor: cgroup.Any, Access: anyAccess}}
	typ, ok := d.jump(asm.JNE, asm.R2, &next)
	switch {
	case !ok:
		return bad("a test of the device type (R2) or a return")
	case typ == devBlock:
		r.Type = 'b'
	case typ == devChar:
		r.Type = 'c'
	default:
		return bad("a test for a block (1) or character (2) device")
	}
	if mov := d.at(d.i); mov.OpCode == asm.Mov.Op32(asm.RegSource) && mov.Dst == asm.R1 && mov.Src == asm.R3 {
		and := d.at(d.i + 1)
		if and.OpCode != asm.And.Op32(asm.ImmSource) || and.Dst != asm.R1 {
			d.i++
			return bad("R1 &= ACCESS")
		}
		acc, err := accessLetters(and.Constant)
		if err != nil {
			d.i++
			return bad(err.Error())
		}
		r.Access = acc
		d.i += 2
		test := d.at(d.i)
		switch {
		case test.OpCode == asm.JNE.Op(asm.RegSource) && test.Dst == asm.R1 && test.Src == asm.R3:
			to := d.i + 1 + int(test.Offset)
			if to != next {
				return bad("a jump to the next rule")
			}
			d.i++
		case test.OpCode == asm.JEq.Op(asm.ImmSource) && test.Dst == asm.R1 && test.Constant == 0:
			r.Partial = true
			if _, ok := d.jump(asm.JEq, asm.R1, &next); !ok {
				return bad("a jump to the next rule")
			}
		default:
			return bad("a test of the access asked (R1 against R3, or R1 against 0)")
		}
	}
	if maj, ok := d.jump(asm.JNE, asm.R4, &next); ok {
		r.Major = int64(uint32(maj))
	}
	if min, ok := d.jump(asm.JNE, asm.R5, &next); ok {
		r.Minor = int64(uint32(min))
	}
	v, ok := d.ret()
	if !ok {
		return bad("a test of the major (R4) or minor (R5), or the rule's return")
	}
	r.Allow = v
	if r.Access == anyAccess {
		r.Partial = !v
	}
	if d.i != next {
		return Rule{}, fmt.Errorf("the rule at instruction %d jumps to instruction %d, not to the instruction after it (%d)", start, next, d.i)
	}
	return r, nil
}
