//go:build !linux

package clock

import (
	"fmt"
	"runtime"
	"time"
)

// ReadKernel is only supported on Linux.
func ReadKernel() (Kernel, error) {
	return Kernel{}, fmt.Errorf("adjtimex: not supported on %s", runtime.GOOS)
}

// SetSystemClock is only supported on Linux.
func SetSystemClock(t time.Time) error {
	return fmt.Errorf("settimeofday: not supported on %s", runtime.GOOS)
}
