//go:build !linux

package app

import (
	"errors"
	"time"
)

// setSystemClock is supported on Linux only (freecam's cameras).
func setSystemClock(time.Time) error {
	return errors.New("setting the clock is supported on Linux only")
}
