//go:build !linux

package tty

import (
	"errors"
	"os"
)

// Elsewhere than Linux, stdin is never treated as a terminal: the secret is read as a line.
func isTerminal(int) bool { return false }

func readNoEcho(*os.File) (string, error) {
	return "", errors.New("read secret: terminals are supported on Linux only")
}
