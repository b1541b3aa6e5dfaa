// Package lsm reads what the Linux Security Modules say about the kernel
// and about one process: which LSMs run (securityfs's lsm file), whether
// AppArmor and SELinux are on, and a process's labels in /proc/PID/attr.
// It only reads; it mounts nothing.
//
// Man pages and documents: Documentation/admin-guide/LSM/index.rst,
// apparmor(7), selinux(8), proc(5) (/proc/PID/attr).
package lsm

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Roots are where the files are read: "/" on a machine; a fixture tree in
// tests.
type Roots struct{ Sys, Proc string }

// Host reads the machine's own files.
var Host = Roots{Sys: "/sys", Proc: "/proc"}

// Kernel is what the kernel says of its LSMs.
type Kernel struct {
	// List is /sys/kernel/security/lsm ("lockdown,capability,yama,apparmor"),
	// nil when it cannot be read; ListErr says why.
	List    []string
	ListErr error
	// Securityfs: /sys/kernel/security holds files (securityfs is mounted).
	Securityfs bool
	// AppArmor: /sys/module/apparmor/parameters/enabled reads Y.
	AppArmor bool
	// SELinux: /sys/fs/selinux/enforce exists; Enforcing when it reads 1.
	SELinux, Enforcing bool
}

// ReadKernel reads the kernel's LSM state.
func (r Roots) ReadKernel() Kernel {
	var k Kernel
	sec := filepath.Join(r.Sys, "kernel", "security")
	if ents, err := os.ReadDir(sec); err == nil && len(ents) > 0 {
		k.Securityfs = true
	}
	if b, err := os.ReadFile(filepath.Join(sec, "lsm")); err == nil {
		for _, n := range strings.Split(strings.TrimSpace(string(b)), ",") {
			if n != "" {
				k.List = append(k.List, n)
			}
		}
	} else {
		k.ListErr = err
	}
	if b, err := os.ReadFile(filepath.Join(r.Sys, "module", "apparmor", "parameters", "enabled")); err == nil {
		k.AppArmor = strings.TrimSpace(string(b)) == "Y"
	}
	if b, err := os.ReadFile(filepath.Join(r.Sys, "fs", "selinux", "enforce")); err == nil {
		k.SELinux = true
		k.Enforcing = strings.TrimSpace(string(b)) == "1"
	}
	return k
}

// Label is one of a process's labels, as /proc/PID/attr shows it.
type Label struct {
	File  string // "attr/current", "attr/apparmor/current"
	Value string // "unconfined", "docker-default (enforce)", a SELinux context
	Err   error  // why it could not be read; EINVAL: no LSM answers this file
}

// Labels reads pid's labels: attr/current (the one the first LSM with task
// labels answers) and AppArmor's own attr/apparmor/current.
func (r Roots) Labels(pid int) []Label {
	var out []Label
	for _, f := range []string{"attr/current", "attr/apparmor/current"} {
		b, err := os.ReadFile(filepath.Join(r.Proc, strconv.Itoa(pid), f))
		l := Label{File: f, Value: strings.TrimRight(strings.TrimSpace(string(b)), "\x00"), Err: err}
		out = append(out, l)
	}
	return out
}

// NoLSM reports whether err from a label file says that no LSM answers
// it: EINVAL from attr/current, a missing attr/apparmor directory.
func NoLSM(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, os.ErrNotExist)
}
