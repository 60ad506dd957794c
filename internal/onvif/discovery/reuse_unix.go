//go:build unix

package discovery

import "syscall"

// reuseAddr sets SO_REUSEADDR, so that another WS-Discovery listener on the machine (a test's,
// or wsdd) can share the multicast port with us.
func reuseAddr(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
