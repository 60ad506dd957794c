package clock

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Kernel clock status bits and states (include/uapi/linux/timex.h).
const (
	staUnsync = 0x0040 // STA_UNSYNC: the clock is not synchronised
	timeError = 5      // TIME_ERROR: adjtimex's return when STA_UNSYNC is set
)

// ReadKernel reads the kernel's NTP state with adjtimex(2) in read-only mode (modes 0): the
// STA_UNSYNC status bit and maxerror. It needs no privileges and changes nothing.
func ReadKernel() (Kernel, error) {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return Kernel{}, fmt.Errorf("adjtimex: %w", err)
	}
	return Kernel{
		Unsync:   tx.Status&staUnsync != 0 || state == timeError,
		MaxError: time.Duration(tx.Maxerror) * time.Microsecond,
	}, nil
}

// SetSystemClock sets the system clock with settimeofday(2) (needs CAP_SYS_TIME). It is what the
// integrator passes as Options.SetClock; tests never call it.
func SetSystemClock(t time.Time) error {
	tv := unix.NsecToTimeval(t.UnixNano())
	if err := unix.Settimeofday(&tv); err != nil {
		return fmt.Errorf("settimeofday: %w", err)
	}
	return nil
}
