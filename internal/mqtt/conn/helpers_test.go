package conn

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
	"github.com/freecam/freecam/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// running is a Conn whose Run goroutine the test owns.
type running struct {
	*Conn
	logs *testutil.SyncBuffer
	stop func() time.Duration // cancels Run, waits for it, returns how long it took
}

// options returns Options for b's plain listener with fast test backoff and a fresh spool.
func options(t *testing.T, b *mosquittotest.Broker, user, pass string) Options {
	return Options{
		Config:     conf.MQTT{Host: b.Host, Port: b.Port, User: user, Pass: conf.Secret(pass), DeviceName: "cam"},
		SpoolDir:   t.TempDir(),
		MinBackoff: 50 * time.Millisecond,
		MaxBackoff: 500 * time.Millisecond,
	}
}

func run(t *testing.T, o Options) *running {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := c.Run(ctx); err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	}()
	var once sync.Once
	var took time.Duration
	r := &running{Conn: c, logs: logs}
	r.stop = func() time.Duration {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("Run did not return within 10 s of cancel")
			}
			took = time.Since(start)
		})
		return took
	}
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("conn log:\n%s", logs.String())
		}
	})
	return r
}

// logLines returns the JSON log lines at level.
func logLines(logs *testutil.SyncBuffer, level string) []string {
	var out []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"level":"`+level+`"`) {
			out = append(out, l)
		}
	}
	return out
}

// proxy forwards TCP connections to a broker; the test counts them and can cut them all as a
// crash or a network failure would.
type proxy struct {
	ln       net.Listener
	target   string
	accepted atomic.Int64

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(out, in); out.Close(); in.Close() })
		p.wg.Go(func() { io.Copy(in, out); out.Close(); in.Close() })
	}
}

// cut closes every proxied connection abruptly (no DISCONNECT: the broker sends the will).
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	p.conns = nil
}

func itoa(i int) string { return strconv.Itoa(i) }
