package cgroup

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The checks of values, one per format, run before anything is written so
// that a malformed value writes nothing and says what was expected.

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("not a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

// ParseSize reads bytes with an optional K, M or G (powers of 1024), as the
// kernel's memparse does.
func ParseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	if v != "" {
		switch strings.ToUpper(v[len(v)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("not a size: give bytes, or a number with K, M or G (50M)")
	}
	return n * mult, nil
}

func checkSize(v string) error {
	if v == "max" {
		return nil
	}
	_, err := ParseSize(v)
	return err
}

func checkPidsMax(v string) error {
	if v == "max" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return errors.New("not a number of processes")
	}
	return nil
}

func checkCPUMax(v string) error {
	f := strings.Fields(v)
	if len(f) == 0 || len(f) > 2 {
		return errors.New("give a quota, and optionally a period")
	}
	if f[0] != "max" {
		if n, err := strconv.Atoi(f[0]); err != nil || n < 1000 {
			return errors.New("the quota is at least 1000 microseconds, or max")
		}
	}
	if len(f) == 2 {
		if n, err := strconv.Atoi(f[1]); err != nil || n < 1000 || n > 1000000 {
			return errors.New("the period runs from 1000 to 1000000 microseconds")
		}
	}
	return nil
}

func checkSubtree(v string) error {
	for _, w := range strings.Fields(v) {
		if len(w) < 2 || (w[0] != '+' && w[0] != '-') {
			return fmt.Errorf("%q: each word is +CONTROLLER or -CONTROLLER", w)
		}
	}
	if strings.TrimSpace(v) == "" {
		return errors.New("name at least one +CONTROLLER or -CONTROLLER")
	}
	return nil
}

func checkList(v string) error {
	if v == "" {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return fmt.Errorf("%q is not a number or a range like 0-3", part)
		}
	}
	return nil
}

func checkDevice(d string) error {
	maj, min, ok := strings.Cut(d, ":")
	if _, err := strconv.Atoi(maj); !ok || err != nil {
		return fmt.Errorf("%q is not a device MAJ:MIN (lsblk shows them)", d)
	}
	if _, err := strconv.Atoi(min); err != nil {
		return fmt.Errorf("%q is not a device MAJ:MIN (lsblk shows them)", d)
	}
	return nil
}

func checkIOMax(v string) error {
	f := strings.Fields(v)
	if len(f) < 2 {
		return errors.New("give a device and at least one limit")
	}
	if err := checkDevice(f[0]); err != nil {
		return err
	}
	for _, kv := range f[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || !slices.Contains([]string{"rbps", "wbps", "riops", "wiops"}, k) {
			return fmt.Errorf("%q: the keys are rbps, wbps, riops, wiops", kv)
		}
		if val != "max" {
			if n, err := strconv.ParseInt(val, 10, 64); err != nil || n <= 0 {
				return fmt.Errorf("%q: a positive number, or max", kv)
			}
		}
	}
	return nil
}

func checkIOWeight(v string) error {
	f := strings.Fields(v)
	switch {
	case len(f) == 1:
		return intRange(1, 10000)(f[0])
	case len(f) == 2 && f[0] == "default":
		return intRange(1, 10000)(f[1])
	case len(f) == 2:
		if err := checkDevice(f[0]); err != nil {
			return err
		}
		return intRange(1, 10000)(f[1])
	}
	return errors.New("give a weight, default WEIGHT, or MAJ:MIN WEIGHT")
}

// checkKeyed accepts "KEY k=v k=v ..." with the keys in keys; first checks
// the leading word (a device, a resource name).
func checkKeyed(first func(string) error, keys ...string) func(string) error {
	return func(v string) error {
		f := strings.Fields(v)
		if len(f) < 2 {
			return errors.New("give a name and at least one key=value")
		}
		if err := first(f[0]); err != nil {
			return err
		}
		for _, kv := range f[1:] {
			k, val, ok := strings.Cut(kv, "=")
			if !ok || val == "" || !slices.Contains(keys, k) {
				return fmt.Errorf("%q: the keys are %s", kv, strings.Join(keys, ", "))
			}
		}
		return nil
	}
}

// anyWord accepts a plain name (an RDMA device, a misc resource).
func anyWord(w string) error {
	if w == "" || strings.ContainsAny(w, "=/") {
		return fmt.Errorf("%q is not a name", w)
	}
	return nil
}

// checkMiscMax is "RESOURCE N" or "RESOURCE max".
func checkMiscMax(v string) error {
	f := strings.Fields(v)
	if len(f) != 2 || anyWord(f[0]) != nil {
		return errors.New("give a resource and a number, or max")
	}
	return checkPidsMax(f[1])
}

// checkPartition is cpuset.cpus.partition's three states.
func checkPartition(v string) error {
	if !slices.Contains([]string{"member", "root", "isolated"}, v) {
		return errors.New("one of member, root, isolated")
	}
	return nil
}

// checkClassID is net_cls.classid: a 32-bit number, decimal or 0x hex, as
// the kernel's kstrtoull(..., 0) reads it.
func checkClassID(v string) error {
	if _, err := strconv.ParseUint(v, 0, 32); err != nil {
		return errors.New("not a 32-bit class ID such as 0x100001 (tc class 10:1)")
	}
	return nil
}

// checkIfPrio is net_prio.ifpriomap: "IFNAME PRIORITY".
func checkIfPrio(v string) error {
	f := strings.Fields(v)
	if len(f) != 2 {
		return errors.New("give an interface and a priority")
	}
	if n, err := strconv.ParseUint(f[1], 10, 32); err != nil || n > 1<<31 {
		return fmt.Errorf("%q is not a priority", f[1])
	}
	return nil
}

// checkDeviceRule is a v1 devices.allow or devices.deny line: "a", or
// "TYPE MAJ:MIN ACCESS" with TYPE a, b or c, numbers or *, access of rwm.
func checkDeviceRule(v string) error {
	if v == "a" {
		return nil
	}
	f := strings.Fields(v)
	if len(f) != 3 || len(f[0]) != 1 || !strings.Contains("abc", f[0]) {
		return errors.New("give a (all), or TYPE MAJ:MIN ACCESS such as c 1:3 rwm")
	}
	maj, min, ok := strings.Cut(f[1], ":")
	for _, n := range []string{maj, min} {
		if _, err := strconv.Atoi(n); !ok || (err != nil && n != "*") {
			return fmt.Errorf("%q is not MAJ:MIN (numbers or *)", f[1])
		}
	}
	if strings.Trim(f[2], "rwm") != "" {
		return fmt.Errorf("%q: access is some of r, w, m", f[2])
	}
	return nil
}
