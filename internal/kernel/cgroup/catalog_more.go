package cgroup

// The catalogue of the io, hugetlb, rdma and misc controllers' files, and
// of the v1 controllers v2 has no files for (net_cls, net_prio, devices).

func init() {
	spec(Spec{Name: "io.max", Ctl: "io", Writable: true, Format: `"MAJ:MIN rbps=N wbps=N riops=N wiops=N" (bytes or I/Os per second, or max)`,
		V1: []string{"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"}, check: checkIOMax, toV1: setIOMax, fromV1: getIOMax})
	spec(Spec{Name: "io.weight", Ctl: "io", Writable: true, Format: `"default N" or "MAJ:MIN N", 1 to 10000 (default 100)`,
		V1: []string{"blkio.weight"}, V1Note: "v1 blkio.weight runs 10 to 1000 (blkio.bfq.weight 1 to 1000 under the BFQ scheduler)", check: checkIOWeight, toV1: setIOWeight, fromV1: getIOWeight})
	spec(Spec{Name: "io.stat", Ctl: "io", Format: "per device: rbytes wbytes rios wios", V1: []string{"blkio.throttle.io_service_bytes"}})
	spec(Spec{Name: "io.cost.qos", Ctl: "io", Writable: true, RootOnly: true, Format: `root cgroup only: "MAJ:MIN enable=1 ctrl=user rpct=95 rlat=LAT wpct=95 wlat=LAT min=% max=%": the latency targets per device that io.weight's cost model throttles to meet`,
		V1Note: "v1 has no latency-based I/O control", check: checkKeyed(checkDevice, "enable", "ctrl", "rpct", "rlat", "wpct", "wlat", "min", "max")})
	spec(Spec{Name: "io.cost.model", Ctl: "io", Writable: true, RootOnly: true, Format: `root cgroup only: "MAJ:MIN ctrl=user model=linear rbps=N rseqiops=N rrandiops=N wbps=N wseqiops=N wrandiops=N": what an I/O costs on each device`,
		V1Note: "v1 has no I/O cost model", check: checkKeyed(checkDevice, "ctrl", "model", "rbps", "rseqiops", "rrandiops", "wbps", "wseqiops", "wrandiops")})

	// hugetlb names each file by a page size the kernel offers (2MB, 1GB
	// on x86-64); Lookup fills it in.
	spec(Spec{Name: "hugetlb.<size>.max", Ctl: "hugetlb", Writable: true, Format: `bytes or "max": huge pages of that size the group may fault in, such as hugetlb.2MB.max 4M`,
		V1: []string{"hugetlb.<size>.limit_in_bytes"}, check: checkSize, toV1: setBytes(bytesNote), fromV1: getBytes})
	spec(Spec{Name: "hugetlb.<size>.current", Ctl: "hugetlb", Format: "bytes of huge pages of that size the group uses now",
		V1: []string{"hugetlb.<size>.usage_in_bytes"}})
	spec(Spec{Name: "hugetlb.<size>.events", Ctl: "hugetlb", Format: "max N: how often a fault of that size failed for the limit",
		V1: []string{"hugetlb.<size>.failcnt"}, fromV1: getFailcnt})

	spec(Spec{Name: "rdma.max", Ctl: "rdma", Writable: true, Format: `"DEVICE hca_handle=N hca_object=N" (or max): RDMA/InfiniBand handles and objects the group may open on a device`,
		V1: []string{"rdma.max"}, check: checkKeyed(anyWord, "hca_handle", "hca_object"), toV1: same})
	spec(Spec{Name: "rdma.current", Ctl: "rdma", Format: "per device: hca_handle=N hca_object=N in use now", V1: []string{"rdma.current"}})

	spec(Spec{Name: "misc.max", Ctl: "misc", Writable: true, Format: `"RESOURCE N" or "RESOURCE max": how many of a scalar resource (sev, sev_es, tdx: encrypted VMs) the group may take`,
		V1: []string{"misc.max"}, check: checkMiscMax, toV1: same})
	spec(Spec{Name: "misc.current", Ctl: "misc", Format: "RESOURCE N per line: what the group takes now", V1: []string{"misc.current"}})
	spec(Spec{Name: "misc.capacity", Ctl: "misc", RootOnly: true, Format: "root cgroup only: RESOURCE N per line, how many the machine has", V1: []string{"misc.capacity"}})
	spec(Spec{Name: "misc.events", Ctl: "misc", Format: "RESOURCE.max N: how often the group was refused one", V1: []string{"misc.events"}})

	const noV2Net = "v2 has no net_cls or net_prio: it hooks BPF programs (or iptables -m cgroup --path) to a group's path instead"
	spec(Spec{Name: "net_cls.classid", Ctl: "net_cls", Writable: true, V1Only: true, Format: "0xAAAABBBB: the tc class (major AAAA, minor BBBB) given to the group's packets; 0 none",
		V1: []string{"net_cls.classid"}, V1Note: noV2Net, check: checkClassID, toV1: same})
	spec(Spec{Name: "net_prio.prioidx", Ctl: "net_prio", V1Only: true, Format: "the kernel's index for the group in its priority maps",
		V1: []string{"net_prio.prioidx"}, V1Note: noV2Net})
	spec(Spec{Name: "net_prio.ifpriomap", Ctl: "net_prio", Writable: true, V1Only: true, Format: `"IFNAME PRIORITY": the socket priority (SO_PRIORITY) of the group's traffic on that interface`,
		V1: []string{"net_prio.ifpriomap"}, V1Note: noV2Net, check: checkIfPrio, toV1: same})

	const noV2Dev = "v2 has no devices files: a BPF program of type cgroup_device, attached to the group, decides (bpftool cgroup list shows it)"
	spec(Spec{Name: "devices.allow", Ctl: "devices", Writable: true, V1Only: true, Format: `"TYPE MAJ:MIN ACCESS" such as "c 1:3 rwm" (write only): lets the group use those devices; "a" all`,
		V1: []string{"devices.allow"}, V1Note: noV2Dev, check: checkDeviceRule, toV1: same})
	spec(Spec{Name: "devices.deny", Ctl: "devices", Writable: true, V1Only: true, Format: `"TYPE MAJ:MIN ACCESS" (write only): takes those devices away; "a" all`,
		V1: []string{"devices.deny"}, V1Note: noV2Dev, check: checkDeviceRule, toV1: same})
	spec(Spec{Name: "devices.list", Ctl: "devices", V1Only: true, Format: `the rules in force, one "TYPE MAJ:MIN ACCESS" a line ("a *:* rwm": everything)`,
		V1: []string{"devices.list"}, V1Note: noV2Dev})
}
