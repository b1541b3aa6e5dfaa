package cgroup

// The catalogue of the cpu, memory, pids and cpuset controllers' files and
// the core cgroup.* files: each entry names its controller, its format, its
// v1 file(s) and the named conversions that translate it (v1.go).

func init() {
	spec(Spec{Name: "cpu.max", Ctl: "cpu", Writable: true, Format: `"$MAX $PERIOD" in microseconds, or "max" (default "max 100000"); "50000" alone keeps the period`,
		V1: []string{"cpu.cfs_quota_us", "cpu.cfs_period_us"}, check: checkCPUMax, toV1: setCPUMax, fromV1: getCPUMax})
	spec(Spec{Name: "cpu.weight", Ctl: "cpu", Writable: true, Format: "1 to 10000 (default 100): the group's share of CPU time against its siblings when they compete",
		V1: []string{"cpu.shares"}, V1Note: "v1 cpu.shares runs 2 to 262144 (default 1024); hood converts as runc does", check: intRange(1, 10000), toV1: setCPUWeight, fromV1: getCPUWeight})
	spec(Spec{Name: "cpu.stat", Ctl: "cpu", Format: "usage_usec, user_usec, system_usec, nr_periods, nr_throttled, throttled_usec",
		V1: []string{"cpuacct.usage", "cpu.stat"}, V1Note: "v1 keeps usage in cpuacct.usage (nanoseconds) and throttling in cpu.stat (throttled_time in nanoseconds)", fromV1: getCPUStat})

	spec(Spec{Name: "memory.max", Ctl: "memory", Writable: true, Format: `bytes, with K, M or G, or "max" (default): above it the kernel reclaims, then the OOM killer kills in the group`,
		V1: []string{"memory.limit_in_bytes"}, check: checkSize, toV1: setBytes(bytesNote), fromV1: getBytes})
	spec(Spec{Name: "memory.high", Ctl: "memory", Writable: true, Format: `bytes or "max": above it the group's processes are throttled and reclaimed hard, never OOM-killed for it`,
		V1Note: "v1 has no memory.high; the nearest is memory.soft_limit_in_bytes (v2 memory.low)", check: checkSize})
	spec(Spec{Name: "memory.low", Ctl: "memory", Writable: true, Format: "bytes: memory protected from reclaim while the system has other to take (best effort)",
		V1: []string{"memory.soft_limit_in_bytes"}, V1Note: "v1's soft limit is its nearest: reclaimed last under pressure", check: checkSize,
		toV1: setBytes("v1 has no %[1]s: its nearest, %[3]s, is set to %[4]s"), fromV1: getBytes})
	spec(Spec{Name: "memory.min", Ctl: "memory", Writable: true, Format: "bytes: memory never reclaimed (hard protection)",
		V1Note: "v1 has no hard memory protection", check: checkSize})
	spec(Spec{Name: "memory.swap.max", Ctl: "memory", Writable: true, Format: `bytes or "max": swap the group may use`,
		V1: []string{"memory.memsw.limit_in_bytes", "memory.limit_in_bytes"}, V1Note: "v1 limits memory+swap together: hood writes memory.limit_in_bytes plus this value", check: checkSize, toV1: setSwapMax, fromV1: getSwap})
	spec(Spec{Name: "memory.swap.current", Ctl: "memory", Format: "bytes of swap the group uses now",
		V1: []string{"memory.memsw.usage_in_bytes", "memory.usage_in_bytes"}, V1Note: "v1 counts memory+swap together: hood subtracts memory.usage_in_bytes", fromV1: getSwap})
	spec(Spec{Name: "memory.zswap.max", Ctl: "memory", Writable: true, Format: `bytes or "max": how much compressed swap (zswap) the group may hold in RAM (Linux 5.19+)`,
		V1Note: "v1 has no zswap limit", check: checkSize})
	spec(Spec{Name: "memory.zswap.current", Ctl: "memory", Format: "bytes of RAM the group's compressed swap (zswap) takes now",
		V1Note: "v1 has no zswap accounting"})
	spec(Spec{Name: "memory.zswap.writeback", Ctl: "memory", Writable: true, Format: "1 (default) or 0: whether zswap may write the group's pages on to the swap device (Linux 6.8+)",
		V1Note: "v1 has no zswap settings", check: intRange(0, 1)})
	spec(Spec{Name: "memory.current", Ctl: "memory", Format: "bytes in use now", V1: []string{"memory.usage_in_bytes"}})
	spec(Spec{Name: "memory.peak", Ctl: "memory", Format: "the most bytes ever in use", V1: []string{"memory.max_usage_in_bytes"}})
	spec(Spec{Name: "memory.events", Ctl: "memory", Format: "low, high, max, oom, oom_kill: how often each happened",
		V1: []string{"memory.failcnt", "memory.oom_control"}, V1Note: "v1: max is memory.failcnt, oom_kill is in memory.oom_control", fromV1: getMemoryEvents})
	spec(Spec{Name: "memory.stat", Ctl: "memory", Format: "anon, file, kernel, ... in bytes", V1: []string{"memory.stat"}, V1Note: "v1's keys differ: rss, cache, ..."})
	spec(Spec{Name: "memory.numa_stat", Ctl: "memory", Format: "per kind of memory (anon, file, ...): N0=bytes N1=bytes, one count per NUMA node",
		V1: []string{"memory.numa_stat"}, V1Note: "v1 counts pages, not bytes, with keys total, file, anon"})
	spec(Spec{Name: "memory.oom.group", Ctl: "memory", Writable: true, Format: "0 or 1: on OOM, kill the whole group at once",
		V1Note: "v1 has no memory.oom.group", check: intRange(0, 1)})
	spec(Spec{Name: "memory.reclaim", Ctl: "memory", Writable: true, Format: "bytes to reclaim from the group now (write only; Linux 5.19+)",
		V1Note: "v1 has no memory.reclaim (memory.force_empty empties the group instead)", check: checkSize})

	spec(Spec{Name: "pids.max", Ctl: "pids", Writable: true, Format: `a number of processes and threads, or "max"`, V1: []string{"pids.max"}, check: checkPidsMax, toV1: same})
	spec(Spec{Name: "pids.current", Ctl: "pids", Format: "processes and threads in the group now", V1: []string{"pids.current"}})
	spec(Spec{Name: "pids.events", Ctl: "pids", Format: "max N: how many forks pids.max refused", V1: []string{"pids.events"}})

	spec(Spec{Name: "cpuset.cpus", Ctl: "cpuset", Writable: true, Format: `a CPU list such as "0" or "0-1,3" (empty: the parent's)`, V1: []string{"cpuset.cpus"}, check: checkList, toV1: same})
	spec(Spec{Name: "cpuset.mems", Ctl: "cpuset", Writable: true, Format: `a memory-node list such as "0"`, V1: []string{"cpuset.mems"}, check: checkList, toV1: same})
	spec(Spec{Name: "cpuset.cpus.effective", Ctl: "cpuset", Format: "the CPUs the group really gets", V1: []string{"cpuset.effective_cpus"}})
	spec(Spec{Name: "cpuset.mems.effective", Ctl: "cpuset", Format: "the memory nodes the group really gets", V1: []string{"cpuset.effective_mems"}})
	spec(Spec{Name: "cpuset.cpus.exclusive", Ctl: "cpuset", Writable: true, Format: `a CPU list the group may make a partition of, which no sibling may claim too (Linux 6.7+)`,
		V1Note: "v1's nearest is cpuset.cpu_exclusive, a 0/1 flag: the group's whole cpuset.cpus is kept from its siblings", check: checkList})
	spec(Spec{Name: "cpuset.cpus.exclusive.effective", Ctl: "cpuset", Format: "the CPUs the group's partition really holds (Linux 6.7+)",
		V1Note: "v1 has no partitions"})
	spec(Spec{Name: "cpuset.cpus.partition", Ctl: "cpuset", Writable: true, Format: `"member" (default), "root" (the CPUs become a partition of its own) or "isolated" (no load balancing); it reads "root invalid (why)" when the kernel cannot make it one`,
		V1Note: "v1 has no partitions: cpuset.cpu_exclusive and cpuset.sched_load_balance 0 come nearest", check: checkPartition})

	spec(Spec{Name: "cgroup.procs", Ctl: "cgroup", Format: "the PIDs in the group", V1: []string{"cgroup.procs"}, ctlV1: "*"})
	spec(Spec{Name: "cgroup.events", Ctl: "cgroup", Format: "populated 0|1, frozen 0|1", ctlV1: "*", fromV1: getEvents})
	spec(Spec{Name: "cgroup.subtree_control", Ctl: "cgroup", Writable: true, Format: `"+pids -memory ...": the controllers this group hands to its children (v2)`,
		V1Note: "v1 has no subtree_control: each controller is its own hierarchy", check: checkSubtree, ctlV1: "*"})
	spec(Spec{Name: "cgroup.controllers", Ctl: "cgroup", Format: "the controllers this group may use (v2): what its parent hands down",
		V1Note: "v1: each controller is its own hierarchy (cgroup mode lists them)", ctlV1: "*"})
	spec(Spec{Name: "cgroup.freeze", Ctl: "cgroup", Writable: true, Format: "1 freezes every process in the group, 0 thaws them",
		V1: []string{"freezer.state"}, V1Note: "v1: freezer.state FROZEN or THAWED", check: intRange(0, 1), ctlV1: "freezer", toV1: setFreeze, fromV1: getFreeze})
	spec(Spec{Name: "cgroup.kill", Ctl: "cgroup", Writable: true, Format: "1 kills every process in the group with SIGKILL (write only; Linux 5.14+)",
		V1Note: "v1 has no cgroup.kill: hood sends SIGKILL to each PID in cgroup.procs", check: intRange(1, 1), ctlV1: "*", actV1: killV1})
	for _, r := range []string{"cpu", "memory", "io"} {
		spec(Spec{Name: r + ".pressure", Ctl: "cgroup", Format: "some/full avg10 avg60 avg300 total: % of time tasks waited for " + r + " (PSI)",
			V1Note: "PSI exists only in the v2 hierarchy", ctlV1: "*"})
	}
}
