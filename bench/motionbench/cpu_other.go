//go:build !linux

package main

import "time"

// threadCPU and processCPU need Linux's getrusage; elsewhere they read 0 and only the wall time
// inside Process is meaningful.
func threadCPU() time.Duration  { return 0 }
func processCPU() time.Duration { return 0 }
