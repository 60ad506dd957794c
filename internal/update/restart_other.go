//go:build !unix

package update

import "errors"

// Restart is not available here: exit and let the supervisor start the binary again.
func Restart(exe string) error {
	return errors.New("restarting in place needs a unix system")
}
