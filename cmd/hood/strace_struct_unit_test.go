package main

import "testing"

// The capset structs hood narrates agree with strace -X raw's, and a
// difference in one bit is caught.
func TestStructMismatch(t *testing.T) {
	if m := structMismatch("{version=_LINUX_CAPABILITY_VERSION_3, pid=0}", "{version=0x20080522, pid=0}"); m != "" {
		t.Error(m)
	}
	data := "{effective=1<<CAP_CHOWN|1<<CAP_BPF, permitted=1<<CAP_CHOWN|1<<CAP_BPF, inheritable=0}"
	if m := structMismatch(data, "{effective=0x1|0x80, permitted=0x1|0x80, inheritable=0}"); m != "" {
		t.Error(m)
	}
	for _, bad := range []string{"{effective=0x1, permitted=0x1|0x80, inheritable=0}", "{effective=0x1|0x80, permitted=0x1|0x80, inheritable=0x1}",
		"{effective=0x1|0x80, permitted=0x1|0x80}", "0x7ffd1234"} {
		if m := structMismatch(data, bad); m == "" {
			t.Errorf("%s taken for %s", bad, data)
		}
	}
	if m := structMismatch("{version=_LINUX_CAPABILITY_VERSION_3, pid=0}", "{version=0x20080522, pid=4242}"); m == "" {
		t.Error("pid 4242 taken for 0")
	}
}

// bpf attrs as strace 6.1 -X raw -y printed them for hood's calls.
func TestBPFAttrMismatch(t *testing.T) {
	for _, tc := range []struct {
		narrated, got string
		same          bool
	}{
		{`{prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=16, insns=&program, license="GPL", prog_name="hood_devices", expected_attach_type=BPF_CGROUP_DEVICE}`,
			`{prog_type=0xf, insn_cnt=16, insns=0x394b5c240300, license="GPL", log_level=0, log_size=0, log_buf=NULL, kern_version=0, prog_flags=0, prog_name="hood_devices", prog_ifindex=0, expected_attach_type=0x6}`, true},
		{`{prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=15, insns=&program, license="GPL"}`,
			`{prog_type=0xf, insn_cnt=16, insns=0x394b5c240300, license="GPL"}`, false},
		{`{target_fd=5, attach_bpf_fd=8, attach_type=BPF_CGROUP_DEVICE, attach_flags=BPF_F_ALLOW_MULTI}`,
			`{target_fd=5</sys/fs/cgroup/unified/hood/b>, attach_bpf_fd=8<anon_inode:bpf-prog>, attach_type=0x6, attach_flags=0x2}`, true},
		{`{target_fd=5, attach_bpf_fd=8, attach_type=BPF_CGROUP_DEVICE, attach_flags=BPF_F_ALLOW_MULTI}`,
			`{target_fd=5</sys/fs/cgroup/unified/hood/b>, attach_bpf_fd=8<anon_inode:bpf-prog>, attach_type=0x6, attach_flags=0}`, false},
		{`{target_fd=5, attach_bpf_fd=9, attach_type=BPF_CGROUP_DEVICE}`, `{target_fd=5</x>, attach_type=0x6}`, true},
		{`{query={target_fd=5, attach_type=BPF_CGROUP_DEVICE, query_flags=0, prog_ids=&ids, prog_cnt=64 => 1}}`,
			`{query={target_fd=5</x>, attach_type=0x6, query_flags=0, attach_flags=0, prog_ids=[101], prog_cnt=64 => 1}}`, true},
		{`{query={target_fd=5, attach_type=BPF_CGROUP_DEVICE, query_flags=0, prog_ids=&ids, prog_cnt=64 => 2}}`,
			`{query={target_fd=5</x>, attach_type=0x6, query_flags=0, attach_flags=0, prog_ids=[101], prog_cnt=64 => 1}}`, false},
		{`{info={bpf_fd=8, info_len=80, info=&{xlated_prog_len=96, xlated_prog_insns=&buf}}}`,
			`{info={bpf_fd=8<anon_inode:bpf-prog>, info_len=80, info=0x394b5c2776b8}}`, true},
		{`{prog_id=100, next_id=0, open_flags=0}`, `{prog_id=101, next_id=0, open_flags=0}`, false},
		// a strace that shows what the kernel wrote back
		{`{info={bpf_fd=8, info_len=80, info=&bpf_prog_info}}`, `{info={bpf_fd=8, info_len=80 => 80, info={type=0xf, id=7}}}`, true},
		{`{info={bpf_fd=8, info_len=80, info=&bpf_prog_info}}`, `{info={bpf_fd=8, info_len=72 => 80, info={type=0xf, id=7}}}`, false},
	} {
		why, ok := bpfAttrMismatch(tc.narrated, tc.got)
		if !ok || (why == "") != tc.same {
			t.Errorf("%s against %s: %q, %v", tc.narrated, tc.got, why, ok)
		}
	}
}

// openat2's struct open_how as hood narrates it and as strace -X raw
// printed it (strace 6.x: {flags=0x80001, resolve=0x4}).
func TestOpenHowMismatch(t *testing.T) {
	if m := structMismatch("{flags=O_WRONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}", "{flags=0x80001, resolve=0x4}"); m != "" {
		t.Error(m)
	}
	if m := structMismatch("{flags=O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC, mode=0, resolve=RESOLVE_NO_SYMLINKS}", "{flags=0x800c0, mode=000, resolve=0x4}"); m != "" {
		t.Error(m)
	}
	for _, bad := range []string{"{flags=0x80001, resolve=0}", "{flags=0x1, resolve=0x4}", "{flags=0x80001}"} {
		if m := structMismatch("{flags=O_WRONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}", bad); m == "" {
			t.Errorf("%s taken for the narrated open_how", bad)
		}
	}
}
