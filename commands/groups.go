package commands

// dropGroup removes a box's cgroup, if it has one (cgroup attach).
func (s *Session) dropGroup(name string) {}
