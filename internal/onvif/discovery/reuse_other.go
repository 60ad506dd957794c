//go:build !unix

package discovery

import "syscall"

// reuseAddr does nothing where SO_REUSEADDR is not set the Unix way.
func reuseAddr(_, _ string, _ syscall.RawConn) error { return nil }
