// Package cgroup knows the control group hierarchies: which mode the host
// runs (v2 unified, hybrid, v1 legacy), detected once from filesystem magic
// numbers as containerd/cgroups does.
//
// Man pages: cgroups(7); kernel docs: admin-guide/cgroup-v2.rst, cgroup-v1/.
package cgroup
