//go:build unix

package update

import (
	"os"
	"syscall"
)

// Restart replaces the running process with exe (the freshly installed or the restored binary),
// with the same arguments and environment. It returns only when the exec fails. Open files
// and sockets are closed by the exec (Go opens them close-on-exec); the caller should stop the
// camera cleanly first when it can.
func Restart(exe string) error {
	return syscall.Exec(exe, os.Args, os.Environ())
}
