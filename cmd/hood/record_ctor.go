package main

/*
#include <string.h>

extern int hood_prefork;

// hood --record FILE runs hood again on a pseudo-terminal and only copies
// what it writes (record.go): it needs no first box, so it asks for none.
// Priority 101 runs this before internal/box's constructor, which forks
// the box; it only reads argv, as recordArgs does (the value of -c or
// --file is never --record).
static void __attribute__((constructor(101))) hood_record_ctor(int argc, char **argv)
{
	for (int i = 1; i < argc && argv && argv[i]; i++) {
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--file") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--record") == 0 || strncmp(argv[i], "--record=", 9) == 0)
			hood_prefork = 0;
	}
}
*/
import "C"
