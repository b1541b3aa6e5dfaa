package main

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// A bzImage (vmlinuz) is a real-mode setup program followed by a small
// decompressor and the compressed kernel, the payload. The setup header
// (Documentation/arch/x86/boot.rst) says where the payload is:
//
//	0x1f1  setup_sects     u8   512-byte sectors of setup after the boot sector (0 means 4)
//	0x202  header          "HdrS"
//	0x206  version         u16  boot protocol; payload_* exist from 2.08
//	0x248  payload_offset  u32  from the start of the protected-mode code
//	0x24c  payload_length  u32
//
// The protected-mode code starts at (setup_sects+1)*512. The payload is the
// compressed vmlinux followed by its uncompressed size as a little-endian
// u32: scripts/Makefile.lib appends it (size_append) for xz and zstd, and
// it is gzip's own trailer. Booting the ELF vmlinux through its PVH entry
// point skips the decompressor, which under TCG takes seconds.

// Payload formats, by their magic.
var magics = []struct {
	name  string
	magic []byte
}{
	{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
	{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{"gzip", []byte{0x1f, 0x8b, 0x08}},
}

// payload returns the compressed kernel inside a bzImage and its format.
// Without a usable setup header it looks for the first known magic
// instead, as the kernel's scripts/extract-vmlinux does.
func payload(img []byte) (data []byte, format string, err error) {
	if len(img) >= 0x250 && string(img[0x202:0x206]) == "HdrS" && binary.LittleEndian.Uint16(img[0x206:]) >= 0x208 {
		sects := int(img[0x1f1])
		if sects == 0 {
			sects = 4
		}
		start := (sects+1)*512 + int(binary.LittleEndian.Uint32(img[0x248:]))
		end := start + int(binary.LittleEndian.Uint32(img[0x24c:]))
		if start < end && end <= len(img) {
			data = img[start:end]
			for _, m := range magics {
				if bytes.HasPrefix(data, m.magic) {
					return data, m.name, nil
				}
			}
			return nil, "", fmt.Errorf("payload at %#x starts with % x, not xz, zstd or gzip (this kernel was compressed otherwise)", start, data[:min(6, len(data))])
		}
	}
	best := -1
	for _, m := range magics {
		if i := bytes.Index(img, m.magic); i >= 0 && (best < 0 || i < best) {
			best, format = i, m.name
		}
	}
	if best < 0 {
		return nil, "", errors.New("no bzImage setup header and no xz, zstd or gzip data: not a vmlinuz")
	}
	return img[best:], format, nil
}

// decompress runs the decompressor for format. xz and zstd are the
// programs of those names (xz-utils, zstd); gzip is the standard library.
func decompress(data []byte, format string) ([]byte, error) {
	var cmd *exec.Cmd
	switch format {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		zr.Multistream(false) // what follows the stream is not ours
		return io.ReadAll(zr)
	case "xz":
		// --single-stream: stop at the end of the stream, ignoring the size after it.
		cmd = exec.Command("xz", "--decompress", "--stdout", "--single-stream")
	case "zstd":
		if len(data) > 4 {
			data = data[:len(data)-4] // zstd refuses trailing bytes: drop the size
		}
		cmd = exec.Command("zstd", "--decompress", "--stdout", "--quiet")
	default:
		return nil, fmt.Errorf("unknown format %q", format)
	}
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", cmd.Args[0], err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// extractVmlinux turns a bzImage into the ELF vmlinux it carries, checking
// that the result is a whole ELF file: it starts with \x7fELF and its
// section headers, the last thing a linker writes, are all there.
func extractVmlinux(img []byte) ([]byte, error) {
	data, format, err := payload(img)
	if err != nil {
		return nil, err
	}
	out, err := decompress(data, format)
	if err != nil {
		return nil, fmt.Errorf("decompress the %s payload: %w", format, err)
	}
	if !bytes.HasPrefix(out, []byte("\x7fELF")) {
		return nil, fmt.Errorf("the %s payload decompressed to %d bytes that are not ELF (they start % x)", format, len(out), out[:min(4, len(out))])
	}
	f, err := elf.NewFile(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("the %s payload decompressed to a broken ELF file: %w", format, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return nil, fmt.Errorf("vmlinux is %v %v, want ELFCLASS64 EM_X86_64", f.Class, f.Machine)
	}
	return out, nil
}
