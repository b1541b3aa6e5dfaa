package box

/*
#cgo CFLAGS: -Wall -O2
extern void hood_box_main(void);
// Runs before the Go runtime starts, in every process of this binary.
static void __attribute__((constructor)) hood_box_ctor(void) { hood_box_main(); }
*/
import "C"
