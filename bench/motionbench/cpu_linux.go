package main

import (
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD (the syscall package only names SELF and CHILDREN).
const rusageThread = 1

// threadCPU is the user+system CPU the calling OS thread has used; 0 if the kernel will not say.
func threadCPU() time.Duration { return rusage(rusageThread) }

// processCPU is the user+system CPU of the whole program, all threads.
func processCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
