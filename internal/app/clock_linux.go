package app

import (
	"time"

	"golang.org/x/sys/unix"
)

// setSystemClock sets the system clock (CAP_SYS_TIME).
func setSystemClock(t time.Time) error {
	tv := unix.NsecToTimeval(t.UnixNano())
	return unix.Settimeofday(&tv)
}
