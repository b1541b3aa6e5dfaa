package devbpf

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// The device kinds and access bits of struct bpf_cgroup_dev_ctx.
const (
	devBlock  = unix.BPF_DEVCG_DEV_BLOCK
	devChar   = unix.BPF_DEVCG_DEV_CHAR
	accMknod  = unix.BPF_DEVCG_ACC_MKNOD
	accRead   = unix.BPF_DEVCG_ACC_READ
	accWrite  = unix.BPF_DEVCG_ACC_WRITE
	accAll    = accMknod | accRead | accWrite
	anyAccess = "rwm"
)

// The program's registers once the context is read (as runc has them):
//
//	struct bpf_cgroup_dev_ctx {   R1 points to it
//	    __u32 access_type;        low 16 bits: BPF_DEVCG_DEV_*  -> R2
//	                              high 16 bits: BPF_DEVCG_ACC_* -> R3
//	    __u32 major;              -> R4
//	    __u32 minor;              -> R5
//	};
var prologue = asm.Instructions{
	asm.LoadMem(asm.R2, asm.R1, 0, asm.Word),
	asm.And.Imm32(asm.R2, 0xFFFF),
	asm.LoadMem(asm.R3, asm.R1, 0, asm.Word),
	asm.RSh.Imm32(asm.R3, 16),
	asm.LoadMem(asm.R4, asm.R1, 4, asm.Word),
	asm.LoadMem(asm.R5, asm.R1, 8, asm.Word),
}

// Build is the program for p: the prologue, then one block per rule in
// order, each jumping to the next block on the first field that does not
// match and returning its verdict when all do, then the default.
//
//	if (R2 != type) goto next
//	R1 = R3; R1 &= ACC; if (R1 != R3) goto next   every access asked is in ACC (allow)
//	R1 = R3; R1 &= ACC; if (R1 == 0) goto next    any access asked is in ACC (deny, Partial)
//	if (R4 != major) goto next                    (left out for *)
//	if (R5 != minor) goto next                    (left out for *)
//	R0 = verdict; exit
func Build(p Policy) (asm.Instructions, error) {
	insns := append(asm.Instructions(nil), prologue...)
	for i, r := range p.Rules {
		next := fmt.Sprintf("rule-%d", i+1)
		var typ int32
		switch r.Type {
		case 'b':
			typ = devBlock
		case 'c':
			typ = devChar
		default:
			return nil, fmt.Errorf("rule %d (%s): a program rule is b or c; type a is the default", i+1, r)
		}
		block := asm.Instructions{asm.JNE.Imm(asm.R2, typ, next)}
		if acc := accessBits(r.Access); acc != accAll {
			block = append(block, asm.Mov.Reg32(asm.R1, asm.R3), asm.And.Imm32(asm.R1, acc))
			if r.Partial {
				block = append(block, asm.JEq.Imm(asm.R1, 0, next))
			} else {
				block = append(block, asm.JNE.Reg(asm.R1, asm.R3, next))
			}
		}
		if r.Major != -1 {
			block = append(block, asm.JNE.Imm(asm.R4, int32(r.Major), next))
		}
		if r.Minor != -1 {
			block = append(block, asm.JNE.Imm(asm.R5, int32(r.Minor), next))
		}
		block = append(block, ret(r.Allow)...)
		if i > 0 {
			block[0] = block[0].WithSymbol(fmt.Sprintf("rule-%d", i))
		}
		insns = append(insns, block...)
	}
	end := ret(p.Default)
	if len(p.Rules) > 0 {
		end[0] = end[0].WithSymbol(fmt.Sprintf("rule-%d", len(p.Rules)))
	}
	return append(insns, end...), nil
}

func ret(allow bool) asm.Instructions {
	v := int32(0)
	if allow {
		v = 1
	}
	return asm.Instructions{asm.Mov.Imm32(asm.R0, v), asm.Return()}
}

// byteOrder is the machine's, as asm names it (it knows only these two).
var byteOrder = func() binary.ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}()

// Encode is the program as the kernel takes it: 8 bytes an instruction.
func Encode(insns asm.Instructions) ([]byte, error) {
	var b bytes.Buffer
	if err := insns.Marshal(&b, byteOrder); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Parse reads instructions as the kernel gives them back (the xlated
// program of BPF_OBJ_GET_INFO_BY_FD).
func Parse(raw []byte) (asm.Instructions, error) {
	var out asm.Instructions
	r := bytes.NewReader(raw)
	for r.Len() > 0 {
		var ins asm.Instruction
		if err := ins.Unmarshal(r, byteOrder, "linux"); err != nil {
			return out, fmt.Errorf("instruction %d: %w", len(out), err)
		}
		out = append(out, ins)
	}
	return out, nil
}
