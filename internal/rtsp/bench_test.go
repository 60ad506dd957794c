package rtsp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"

	"github.com/freecam/freecam/internal/stream"
)

// BenchmarkFanoutPerReader measures what one hub frame costs per reader on the whole per-reader
// path of a TCP session, the fast path: hub Reader → feeder → the frame's shared packetization
// (made by the first reader) → this reader's interleaved RTP bytes → one write through the
// coalescing conn → a connection that discards (no kernel, so the figure is CPU in this process).
// Frames are the noisy clip's (about 21 RTP packets each). One op is one frame delivered to all N
// readers; ns/reader-frame, B/reader-frame and allocs/reader-frame divide by N, and include the
// once-per-frame work (publishing, packetizing) shared by the N readers.
func BenchmarkFanoutPerReader(b *testing.B) {
	aus := makeClip(b, noisyClip)
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
			hub := stream.New(stream.Options{})
			start := time.Now()
			frame := 0
			publish := func() {
				hub.Publish(clipFrame(aus, frame, start))
				frame++
			}
			publish() // a keyframe: parameters for the SDP, the start of the cached GOP

			ln := newPipeListener()
			s, err := New(Options{Hub: hub, DisableUDP: true, Logger: discardLogger(),
				Listen: func(string, string) (net.Listener, error) { return ln, nil }})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Start(); err != nil {
				b.Fatal(err)
			}
			defer s.Close()

			var delivered atomic.Int64
			notify := make(chan struct{}, 1)
			for i := range n {
				benchPlay(b, ln, i, &delivered, notify)
			}
			// One timer for the whole run: the harness must not allocate per frame, or it would
			// be counted against the readers.
			timeout := time.NewTimer(time.Hour)
			defer timeout.Stop()
			waitDelivered := func(want int64) {
				timeout.Reset(10 * time.Second)
				for delivered.Load() < want {
					select {
					case <-notify:
					case <-timeout.C:
						b.Fatalf("delivered %d access units, want %d", delivered.Load(), want)
					}
				}
			}
			waitDelivered(int64(n)) // every reader got the cached keyframe

			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			writes0 := totalWrites(s)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				publish()
				waitDelivered(int64(n) * int64(i+2))
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			perReader := float64(b.N) * float64(n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perReader, "ns/reader-frame")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/perReader, "allocs/reader-frame")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/perReader, "B/reader-frame")
			b.ReportMetric(float64(totalWrites(s)-writes0)/perReader, "writes/reader-frame")
		})
	}
}

func totalWrites(s *Server) uint64 {
	var w uint64
	for _, c := range s.Stats().Conns {
		w += c.Writes
	}
	return w
}

// benchPlay connects one in-process client, SETUPs over TCP and PLAYs. After the PLAY response
// its connection discards everything, counting complete access units (RTP marker bits).
func benchPlay(b *testing.B, ln *pipeListener, i int, delivered *atomic.Int64, notify chan struct{}) {
	b.Helper()
	reqR, reqW := io.Pipe()
	resR, resW := io.Pipe()
	c := &benchConn{
		reqR: reqR, resW: resW, delivered: delivered, notify: notify,
		remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 10000 + i},
	}
	ln.conns <- c
	br := bufio.NewReader(resR)
	do := func(req string) *base.Response {
		if _, err := reqW.Write([]byte(req)); err != nil {
			b.Fatal(err)
		}
		var res base.Response
		if err := res.Unmarshal(br); err != nil {
			b.Fatal(err)
		}
		if res.StatusCode != base.StatusOK {
			b.Fatalf("%s: got %d, want 200", req[:5], res.StatusCode)
		}
		return &res
	}
	res := do("SETUP rtsp://cam/unicast/trackID=0 RTSP/1.0\r\nCSeq: 1\r\n" +
		"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
	var sess headers.Session
	if err := sess.Unmarshal(res.Header["Session"]); err != nil {
		b.Fatal(err)
	}
	do("PLAY rtsp://cam/unicast RTSP/1.0\r\nCSeq: 2\r\nSession: " + sess.Session + "\r\n\r\n")
}

// benchConn is the server side of an in-process connection: requests come from a pipe,
// responses go back through one until the PLAY response; after that writes are discarded.
type benchConn struct {
	reqR      *io.PipeReader
	resW      *io.PipeWriter
	remote    net.Addr
	delivered *atomic.Int64
	notify    chan struct{}

	mu        sync.Mutex
	responses int
}

func (c *benchConn) Read(p []byte) (int, error) { return c.reqR.Read(p) }

func (c *benchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.responses < 2 {
		if len(p) > 5 && string(p[:5]) == "RTSP/" {
			c.responses++
		}
		return c.resW.Write(p)
	}
	// Count the marker bits of the interleaved RTP packets in p.
	n := len(p)
	markers := int64(0)
	for len(p) >= 6 && p[0] == '$' {
		size := int(p[2])<<8 | int(p[3])
		if p[1]%2 == 0 && p[5]&0x80 != 0 {
			markers++
		}
		if 4+size > len(p) {
			break
		}
		p = p[4+size:]
	}
	if markers > 0 {
		c.delivered.Add(markers)
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
	return n, nil
}

func (c *benchConn) Close() error {
	c.reqR.Close()
	c.resW.Close()
	return nil
}

func (c *benchConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8554} }
func (c *benchConn) RemoteAddr() net.Addr             { return c.remote }
func (c *benchConn) SetDeadline(time.Time) error      { return nil }
func (c *benchConn) SetReadDeadline(time.Time) error  { return nil }
func (c *benchConn) SetWriteDeadline(time.Time) error { return nil }

// pipeListener hands out the benchConns given to it.
type pipeListener struct {
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8554} }
