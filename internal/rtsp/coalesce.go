package rtsp

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// gortsplib v5 writes every interleaved RTP packet with its own Write call on the session's
// writer goroutine (conn.Conn.WriteInterleavedFrame marshals '$', channel, length and payload into
// one reused buffer and writes it at once; there is no bufio.Writer). At 20–30 packets per frame
// that is one syscall per packet per reader. coalescingConn sits under gortsplib and holds the RTP
// packets of an access unit until the one with the marker bit, then writes them with one Write.
//
// It relies on what gortsplib does: one Write is exactly one interleaved frame or one RTSP
// message. A Write that is not exactly one RTP frame on a known channel (a response, RTCP, a
// partial or multiple frames) first flushes what is held and is then written at once, so bytes
// always leave in the order they were written.
//
// The TCP fast path does not go through Write: writeFrames takes the same mutex and writes a
// whole frame's interleaved packets at once, so they never interleave with gortsplib's writes.

const interleavedMagic = '$'

// coalescingConn is a net.Conn whose Write coalesces the RTP packets of one access unit. It is
// safe for concurrent use: gortsplib writes responses from the connection goroutine and packets
// from the session's writer goroutine.
type coalescingConn struct {
	net.Conn
	max int // flush when this many bytes are held

	mu         sync.Mutex
	buf        []byte
	rtpChannel [256]bool // interleaved channels that carry RTP (from SETUP responses)
	err        error     // first write error; later writes fail with it
	// afterWrite is closed after the next Write that is not held (an RTSP response): a TCP
	// session's feeder waits on it so no RTP leaves before the PLAY response.
	afterWrite chan struct{}

	writes  atomic.Uint64 // Write calls on the underlying conn
	packets atomic.Uint64 // RTP packets passed through the buffer
}

func newCoalescingConn(c net.Conn, maxHeld int) *coalescingConn {
	return &coalescingConn{Conn: c, max: maxHeld}
}

// addRTPChannel marks an interleaved channel as carrying RTP, so its packets are coalesced.
func (c *coalescingConn) addRTPChannel(ch int) {
	if ch < 0 || ch > 255 {
		return
	}
	c.mu.Lock()
	c.rtpChannel[ch] = true
	c.mu.Unlock()
}

// Write implements net.Conn. An RTP packet without the marker bit is held and reported as
// written; its write error, if any, is returned by the Write that flushes it.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	marker, isRTP := c.rtpFrame(p)
	if !isRTP && c.afterWrite != nil {
		defer func() {
			close(c.afterWrite)
			c.afterWrite = nil
		}()
	}
	if c.err != nil {
		return 0, c.err
	}
	if isRTP {
		c.buf = append(c.buf, p...)
		c.packets.Add(1)
		if marker || len(c.buf) >= c.max {
			if err := c.flushLocked(); err != nil {
				return 0, err
			}
		}
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	c.writes.Add(1)
	n, err := c.Conn.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// notifyAfterNextWrite returns a channel that is closed once the next Write that is not an
// RTP packet (whatever its outcome) has returned. gortsplib writes the response to a request
// right after OnResponse, on the connection goroutine, so called from OnResponse it signals that
// the response is out.
func (c *coalescingConn) notifyAfterNextWrite() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.afterWrite == nil {
		c.afterWrite = make(chan struct{})
	}
	return c.afterWrite
}

// writeFrames writes p, complete interleaved frames (packets of them RTP), with one Write after
// whatever is held, under the same mutex as gortsplib's writes, with a deadline of timeout.
func (c *coalescingConn) writeFrames(p []byte, packets int, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if err := c.flushLocked(); err != nil {
		return err
	}
	if err := c.Conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		c.err = err
		return err
	}
	c.writes.Add(1)
	c.packets.Add(uint64(packets))
	if _, err := c.Conn.Write(p); err != nil {
		c.err = err
		return err
	}
	return nil
}

// Flush writes what is held. gortsplib never calls it; tests and Close paths may.
func (c *coalescingConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.flushLocked()
}

func (c *coalescingConn) flushLocked() error {
	if len(c.buf) == 0 {
		return nil
	}
	c.writes.Add(1)
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > 256<<10 {
		c.buf = nil // a huge keyframe passed: do not keep its memory for the life of the conn
	} else {
		c.buf = c.buf[:0]
	}
	if err != nil {
		c.err = err
	}
	return err
}

// rtpFrame reports whether p is exactly one interleaved frame carrying an RTP packet on a known
// RTP channel, and whether that packet has the marker bit (end of an access unit).
func (c *coalescingConn) rtpFrame(p []byte) (marker, ok bool) {
	const rtpHeader = 12
	if len(p) < 4+rtpHeader || p[0] != interleavedMagic || !c.rtpChannel[p[1]] {
		return false, false
	}
	if int(p[2])<<8|int(p[3]) != len(p)-4 {
		return false, false
	}
	if p[4]>>6 != 2 { // RTP version
		return false, false
	}
	if p[5] >= 192 && p[5] <= 223 { // RTCP packet types 192–223 (RFC 5761 §4)
		return false, false
	}
	return p[5]&0x80 != 0, true
}

// coalesceStats are one connection's write counters.
type coalesceStats struct {
	Writes  uint64
	Packets uint64
}

func (c *coalescingConn) stats() coalesceStats {
	return coalesceStats{Writes: c.writes.Load(), Packets: c.packets.Load()}
}

// coalescingListener wraps every accepted connection in a coalescingConn.
type coalescingListener struct {
	net.Listener
	max int
}

func (l *coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newCoalescingConn(c, l.max), nil
}
