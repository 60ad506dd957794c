package ftp

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// dialFunc returns the dial function for the control connection (the first call) and the data
// connections (the later ones): each is bounded by the idle timeout and recorded so that a
// cancelled ctx closes it. With TLS the library upgrades the control connection after AUTH TLS;
// the data connections are wrapped here (the library leaves that to a custom dial function).
func (t *Target) dialFunc(ctx context.Context, conns *connSet) func(network, addr string) (net.Conn, error) {
	first := true
	return func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: t.o.Timeout, KeepAlive: 30 * time.Second}
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		var c net.Conn = &idleConn{Conn: raw, idle: t.o.Timeout}
		if t.tls != nil && !first {
			c = tls.Client(c, t.tls)
		}
		first = false
		if !conns.add(c) {
			c.Close()
			return nil, ctx.Err()
		}
		return c, nil
	}
}

// idleConn fails a Read or Write that waits longer than idle.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	return c.Conn.Write(p)
}

// connSet is the connections of one session; closeAll ends them all, also ones dialled later.
type connSet struct {
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func (s *connSet) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns = append(s.conns, c)
	return true
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}
