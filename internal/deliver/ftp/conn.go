package ftp

import (
	"context"
	"crypto/tls"
	"io"
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
		// The set holds the socket itself: closing it on cancel must not wait for a TLS goodbye.
		if !conns.add(raw) {
			raw.Close()
			return nil, ctx.Err()
		}
		var c net.Conn = &idleConn{Conn: raw, idle: t.o.Timeout}
		if t.tls != nil && !first {
			c = &tlsData{Conn: tls.Client(c, t.tls)}
		}
		first = false
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

// tlsData is a TLS data connection that ends cleanly: Close sends close_notify and reads until
// the server's own, and only then closes the socket. Closing at once, with the TLS 1.3 session
// tickets the server sent still unread, makes the kernel reset the connection, and the server
// (vsftpd: "426 Failure reading network stream") drops the end of the upload.
type tlsData struct{ *tls.Conn }

func (c *tlsData) Close() error {
	if c.Conn.ConnectionState().HandshakeComplete {
		if err := c.Conn.CloseWrite(); err == nil {
			_, _ = io.Copy(io.Discard, c.Conn) // until close_notify, EOF or the idle timeout
		}
	}
	return c.Conn.Close()
}
