package labs

import (
	"slices"
	"testing"
)

func TestDeviceCheckValidate(t *testing.T) {
	good := &DeviceCheck{Op: "mknod", Dev: "c 1:3"}
	if err := good.validate(); err != nil || !slices.Equal(good.args, []string{"go-device", "mknod", "c", "1", "3"}) {
		t.Errorf("mknod c 1:3: %v, args %q", err, good.args)
	}
	open := &DeviceCheck{Op: "open", Path: "/dev/null"}
	if err := open.validate(); err != nil || !slices.Equal(open.args, []string{"go-device", "open", "/dev/null"}) {
		t.Errorf("open /dev/null: %v, args %q", err, open.args)
	}
	for _, c := range []*DeviceCheck{
		{Op: "mknod", Dev: "c 1:*"}, {Op: "mknod", Dev: "a"}, {Op: "mknod", Dev: "z 1:3"},
		{Op: "open", Path: "dev/null"}, {Op: "read", Path: "/dev/null"},
	} {
		if err := c.validate(); err == nil {
			t.Errorf("%+v accepted", *c)
		}
	}
	if err := (&DeviceListCheck{}).validate(); err == nil {
		t.Error("device_list without match accepted")
	}
	if err := (&DeviceListCheck{Match: "c 1:3 rw"}).validate(); err == nil {
		t.Error("device_list without bpf accepted: its step would not run on cgroup v2")
	}
	if err := (&DeviceListCheck{Match: "c", BPF: "("}).validate(); err == nil {
		t.Error("device_list with a bad bpf regexp accepted")
	}
}
