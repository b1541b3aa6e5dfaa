package labs

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Check is one fact about the live system that a step must bring about:
// what the learner is told holds (Say) and one kind of fact to look at.
// Box fields of a kind name a box, or "current" (the current box) or "any"
// (some box): checks look at effects, so a learner who gets there another
// way, in another box, passes too.
type Check struct {
	Say  string // what holds when it passes, in the learner's words
	Kind string // the kind's YAML key: ns, file, cgroup, ...

	impl kind // the kind's fields and behaviour
	// bad is what was wrong with the check in the lab file. It is kept
	// and said by validate, where the lab and step are known, so the
	// message names the file, the step and the key.
	bad error
}

// kind is one sort of fact a check can look at, one type per YAML key.
// validate runs once, when the lab file is read; eval runs after every
// command while the check's step is current.
type kind interface {
	validate() error
	eval(e *env) (ok bool, detail string)
}

// prober is a kind whose eval starts a process in a box. It runs only
// once the checks before it hold: looking must not change what is looked
// at (a time namespace's offsets are fixed once a process is in it).
type prober interface {
	kind
	startsProcess()
}

// kinds maps each YAML key to a new, empty check of its kind. A new kind is
// a type in its family's file and a line here.
var kinds = map[string]func() kind{
	// namespaces: ns.go
	"ns":       newKind[NSCheck],
	"nprocs":   newKind[NProcsCheck],
	"children": newKind[ChildrenCheck],
	"pinned":   newKind[PinnedCheck],
	// files: files.go
	"file":     newKind[FileCheck],
	"box_file": newKind[BoxFileCheck],
	"hostname": newKind[HostnameCheck],
	// processes: procs.go
	"init":       newKind[InitCheck],
	"procs_seen": newKind[ProcsCheck],
	"gone":       newKind[GoneCheck],
	"uid":        newKind[UIDCheck],
	// root filesystems: rootfscheck.go
	"rootfs":   newKind[RootfsCheck],
	"root":     newKind[RootCheck],
	"detached": newKind[DetachedCheck],
	// events: event.go
	"event": newKind[EventCheck],
	// time: clock.go
	"clock": newKind[ClockCheck],
	// mounts: mntcheck.go
	"mount": newKind[MountCheck],
	// cgroups: cgroups.go
	"cgroup":   newKind[CgroupCheck],
	"counter":  newKind[CounterCheck],
	"measured": newKind[MeasureCheck],
	// devices: devicescheck.go
	"device":      newKind[DeviceCheck],
	"device_list": newKind[DeviceListCheck],
	// network: netcheck.go
	"netdev":    newKind[NetDevCheck],
	"route":     newKind[RouteCheck],
	"ping":      newKind[PingCheck],
	"veth_left": newKind[VethLeftCheck],
	// capabilities: capscheck.go
	"caps":  newKind[CapsCheck],
	"owner": newKind[OwnerCheck],
	// file capabilities: capfilecheck.go
	"file_caps": newKind[FileCapsCheck],
	"exec_caps": newKind[ExecCapsCheck],
	// networks: nftcheck.go
	"nft_rule":    newKind[NFTRuleCheck],
	"netns_named": newKind[NetnsNamedCheck],
	// seccomp: seccompcheck.go
	"seccomp": newKind[SeccompCheck],
	"answer":  newKind[AnswerCheck],
	// the container lab: containercheck.go
	"dev_nodes": newKind[DevNodesCheck],
	"bundle":    newKind[BundleCheck],
	"runc":      newKind[RuncCheck],
}

func newKind[T any, P interface {
	*T
	kind
}]() kind {
	return P(new(T))
}

// kindNames lists the YAML keys of every kind, sorted, for messages.
func kindNames() string {
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// fieldNames lists the YAML keys a kind takes, from its struct tags.
func fieldNames(k kind) []string {
	t := reflect.TypeOf(k).Elem()
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// UnmarshalYAML reads a check: say, and one key naming its kind whose value
// holds the kind's fields. What is wrong is kept for validate to report.
func (c *Check) UnmarshalYAML(n *yaml.Node) error {
	*c = Check{}
	c.bad = c.decode(resolve(n))
	return nil
}

func (c *Check) decode(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a check is a mapping of say and one kind (%s)", n.Line, kindNames())
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], resolve(n.Content[i+1])
		if seen[key.Value] {
			return fmt.Errorf("line %d: key %q given twice", key.Line, key.Value)
		}
		seen[key.Value] = true
		if key.Value == "say" {
			if err := val.Decode(&c.Say); err != nil {
				return fmt.Errorf("say: %w", err)
			}
			continue
		}
		mk, ok := kinds[key.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key %q (a check takes say and one kind: %s)", key.Line, key.Value, kindNames())
		}
		if c.impl != nil {
			return fmt.Errorf("line %d: a check has exactly one kind (%s); this one has %s and %s", key.Line, kindNames(), c.Kind, key.Value)
		}
		k := mk()
		if err := decodeKind(key.Value, val, k); err != nil {
			return err
		}
		c.Kind, c.impl = key.Value, k
	}
	if c.impl == nil {
		return fmt.Errorf("line %d: a check has exactly one kind (%s); this one has none", n.Line, kindNames())
	}
	return nil
}

// decodeKind fills k from a mapping, refusing keys k does not take (a
// custom unmarshaler does not inherit the decoder's KnownFields).
func decodeKind(name string, n *yaml.Node, k kind) error {
	fields := fieldNames(k)
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s takes a mapping of %s", n.Line, name, strings.Join(fields, ", "))
	}
	for i := 0; i < len(n.Content); i += 2 {
		if key := n.Content[i]; !slices.Contains(fields, key.Value) {
			return fmt.Errorf("line %d: %s: unknown key %q (%s takes %s)", key.Line, name, key.Value, name, strings.Join(fields, ", "))
		}
	}
	if err := n.Decode(k); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// resolve follows a YAML alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (c Check) validate() error {
	if c.bad != nil {
		return c.bad
	}
	if c.impl == nil {
		return errors.New("a check has exactly one kind (" + kindNames() + ")")
	}
	if c.Say == "" {
		return errors.New("a check needs say: what holds when it passes")
	}
	if err := c.impl.validate(); err != nil {
		return fmt.Errorf("%s: %w", c.Kind, err)
	}
	return nil
}

// eval tells whether the check holds now, and what was seen. The kind's
// string fields are expanded first ({hood}, {net}, {box1}, ...: see
// env.expand), on a copy, so that every kind takes placeholders alike.
func (c Check) eval(e *env) (bool, string) { return expandFields(c.impl, e).eval(e) }

// said is what the learner is told holds, with its placeholders expanded.
func (c Check) said(e *env) string { return e.expand(c.Say) }

// expandFields returns a copy of the kind (a pointer to a struct) with
// every string and []string field expanded.
func expandFields(k kind, e *env) kind {
	v := reflect.ValueOf(k)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return k
	}
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	for i := 0; i < cp.Elem().NumField(); i++ {
		f := cp.Elem().Field(i)
		if !f.CanSet() {
			continue
		}
		switch {
		case f.Kind() == reflect.String:
			f.SetString(e.expand(f.String()))
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			out := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
			for j := 0; j < f.Len(); j++ {
				out.Index(j).SetString(e.expand(f.Index(j).String()))
			}
			f.Set(out)
		}
	}
	if k2, ok := cp.Interface().(kind); ok {
		return k2
	}
	return k
}

// probes reports whether evaluating the check starts a process in a box.
func (c Check) probes() bool {
	_, ok := c.impl.(prober)
	return ok
}

// short is a file's content trimmed for a detail line.
func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
