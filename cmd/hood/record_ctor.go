package main

/*
#include <stdlib.h>
#include <string.h>

extern int hood_prefork;

// hood_cast_marks is HOOD_CAST_MARKS (internal/cast.MarksEnv) as hood
// --record set it for the hood it runs: taken out of the environment here,
// before box1 is forked with a copy of it, so that no box and no program
// run in one inherits it.
int hood_cast_marks;

// hood --record FILE runs hood again on a pseudo-terminal and only copies
// what it writes (record.go): it needs no first box, so it asks for none.
// Priority 101 runs this before internal/box's constructor, which forks
// the box; it only reads argv, as recordArgs does (the value of -c or
// --file is never --record).
static void __attribute__((constructor(101))) hood_record_ctor(int argc, char **argv)
{
	const char *marks = getenv("HOOD_CAST_MARKS");
	if (marks) {
		hood_cast_marks = strcmp(marks, "1") == 0;
		unsetenv("HOOD_CAST_MARKS");
	}
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

// castMarksAsked reports whether hood --record asked this hood for marks.
func castMarksAsked() bool { return C.hood_cast_marks != 0 }
