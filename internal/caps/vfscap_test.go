package caps

import (
	"bytes"
	"strings"
	"testing"
)

func TestFileCapsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		text string
		hex  []byte
	}{
		// getfattr -e hex of setcap cap_net_raw=ep: 0x0100000200200000...
		{"cap_net_raw=ep", []byte{1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"cap_chown,cap_net_raw=eip", []byte{1, 0, 0, 2, 1, 0x20, 0, 0, 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		// CAP_BPF (39) is in the high word.
		{"cap_bpf=p", []byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0}},
	} {
		fc, err := ParseFileText(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		if b := fc.Encode(); !bytes.Equal(b, tc.hex) {
			t.Errorf("%s: encoded % x, want % x", tc.text, b, tc.hex)
		}
		back, err := DecodeFile(tc.hex)
		if err != nil || back.Text() != tc.text || back.Revision != 2 {
			t.Errorf("% x: decoded %+v (%q), %v; want %s", tc.hex, back, back.Text(), err, tc.text)
		}
	}
}

func TestFileCapsRevisions(t *testing.T) {
	// Revision 3, as a root in a user namespace mapped to host uid 100000
	// writes cap_net_admin=ep.
	v3 := []byte{1, 0, 0, 3, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x86, 0x01, 0}
	fc, err := DecodeFile(v3)
	if err != nil || fc.Revision != 3 || fc.RootID != 100000 || fc.Text() != "cap_net_admin=ep" {
		t.Fatalf("v3: %+v %v", fc, err)
	}
	if !bytes.Equal(fc.Encode(), v3) || !strings.Contains(fc.Struct(), "rootid=100000") {
		t.Errorf("v3 encoded % x, struct %s", fc.Encode(), fc.Struct())
	}
	// Revision 1: 32-bit sets, 12 bytes.
	if fc, err := DecodeFile([]byte{0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0}); err != nil || fc.Permitted != 4 || fc.Effective {
		t.Errorf("v1: %+v %v", fc, err)
	}
	for _, bad := range [][]byte{nil, {1, 0}, {0, 0, 0, 9, 0, 0, 0, 0}, v3[:20], append(v3, 0)} {
		if _, err := DecodeFile(bad); err == nil {
			t.Errorf("% x decoded without an error", bad)
		}
	}
}

func TestParseFileTextRefuses(t *testing.T) {
	for in, want := range map[string]string{
		"cap_net_rawx=ep": "did you mean CAP_NET_RAW",
		"cap_net_raw":     "no =FLAGS",
		"cap_net_raw=":    "no flags",
		"cap_net_raw=epx": "flag 'x'",
		"cap_net_raw=e":   "e alone",
		"=ep":             "names no capability",
		"+":               "no =FLAGS",
	} {
		if _, err := ParseFileText(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", in, err, want)
		}
	}
	for _, ok := range []string{"+cap_net_raw=ep", "net_raw+ep", "CAP_CHOWN,cap_kill=i"} {
		if _, err := ParseFileText(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestGrant(t *testing.T) {
	fc, _ := ParseFileText("cap_net_raw,cap_chown=ep")
	raw, chown := uint64(1)<<13, uint64(1)<<0
	if g := fc.Grant(0, All); g != raw|chown {
		t.Errorf("full bounding set: %x", g)
	}
	if g := fc.Grant(0, All&^raw); g != chown {
		t.Errorf("CAP_NET_RAW out of the bounding set: %x, want only CAP_CHOWN", g)
	}
	inh, _ := ParseFileText("cap_kill=i")
	if g := inh.Grant(0, All); g != 0 {
		t.Errorf("file inheritable without the process's: %x", g)
	}
	if g := inh.Grant(1<<5, 0); g != 1<<5 {
		t.Errorf("both inheritable: %x, want CAP_KILL even outside the bounding set", g)
	}
}
