package seccomp

// Native is the ABI of the machine hood runs on: its filters check for it.
var Native = AArch64
