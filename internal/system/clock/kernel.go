package clock

import "time"

// Kernel is the kernel clock's synchronisation state, as adjtimex(2) reports it.
type Kernel struct {
	// Unsync is STA_UNSYNC: nobody has told the kernel the clock is synchronised. An NTP daemon
	// (ntpd, chronyd, systemd-timesyncd, busybox ntpd) clears it; settimeofday(2) sets it again,
	// so the Syncer's own steps never make the clock look managed.
	Unsync bool
	// MaxError is the kernel's maximum error estimate. The daemon keeps it small; left alone it
	// grows by 500 µs/s up to 16 s, when the kernel sets STA_UNSYNC itself.
	MaxError time.Duration
}

// managedMaxError: above this the daemon has stopped updating the kernel for a long while.
const managedMaxError = 16 * time.Second

// Managed reports whether another NTP daemon disciplines the kernel clock: STA_UNSYNC cleared
// and maxerror below 16 s.
func (k Kernel) Managed() bool { return !k.Unsync && k.MaxError < managedMaxError }

// Managed reports whether another NTP daemon already disciplines this machine's clock (see
// Kernel.Managed); false when adjtimex fails or is not supported. The integrator runs a Syncer
// only when it is false.
func Managed() bool {
	k, err := ReadKernel()
	return err == nil && k.Managed()
}
