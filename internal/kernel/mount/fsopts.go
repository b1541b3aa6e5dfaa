package mount

import "strings"

// fsOptions are the data options (mount(2)'s last argument) of filesystems
// hood's labs mount, as each one's parameter table in the kernel names them
// (mm/shmem.c shmem_fs_parameters, fs/proc/root.c proc_fs_parameters,
// fs/devpts/inode.c devpts_param_specs, kernel/cgroup/cgroup.c
// cgroup2_fs_parameters). sysfs and mqueue take none. A word not listed is
// one the filesystem answers EINVAL for.
var fsOptions = map[string][]string{
	"tmpfs": {"size", "nr_blocks", "nr_inodes", "mode", "uid", "gid", "huge", "mpol", "inode32", "inode64",
		"noswap", "quota", "usrquota", "grpquota", "usrquota_block_hardlimit", "usrquota_inode_hardlimit",
		"grpquota_block_hardlimit", "grpquota_inode_hardlimit", "casefold", "strict_encoding"},
	"proc":    {"hidepid", "gid", "subset", "pidns"},
	"devpts":  {"uid", "gid", "mode", "ptmxmode", "newinstance", "max"},
	"cgroup2": {"nsdelegate", "favordynmods", "memory_localevents", "memory_recursiveprot", "memory_hugetlb_accounting", "pids_localevents"},
	"sysfs":   {},
	"mqueue":  {},
}

// FSOptions lists the data options filesystem fstype takes, and whether
// hood knows that filesystem's list.
func FSOptions(fstype string) ([]string, bool) {
	o, ok := fsOptions[fstype]
	return o, ok
}

// UnknownFSOptions are the words of data (name or name=value) that
// filesystem fstype does not take. known is false when hood has no list
// for fstype: then the kernel alone can say.
func UnknownFSOptions(fstype, data string) (bad []string, known bool) {
	opts, known := fsOptions[fstype]
	if !known {
		return nil, false
	}
	have := map[string]bool{}
	for _, o := range opts {
		have[o] = true
	}
	for _, w := range strings.Split(data, ",") {
		name, _, _ := strings.Cut(w, "=")
		if w != "" && !have[name] {
			bad = append(bad, w)
		}
	}
	return bad, true
}
