package clock

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/ntp"
	"github.com/freecam/freecam/internal/testutil"
)

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startChrony runs chronyd as an NTP server on 127.0.0.1:port with its own config. -x: it never
// touches this machine's clock. synced=false leaves out "local stratum", so chronyd answers as an
// unsynchronised server. stop kills it (the test's cleanup does too).
func startChrony(t *testing.T, port int, synced bool) (stop func()) {
	t.Helper()
	bin, err := exec.LookPath("chronyd")
	if err != nil {
		t.Skip("chronyd is not installed (Debian package chrony): no NTP server to test against")
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf("port %d\nbindaddress 127.0.0.1\nallow 127.0.0.1\ncmdport 0\npidfile %s\ndriftfile %s\n",
		port, filepath.Join(dir, "pid"), filepath.Join(dir, "drift"))
	if synced {
		cfg += "local stratum 8\n"
	}
	conf := filepath.Join(dir, "chrony.conf")
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-d", "-x", "-f", conf}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // no privilege drop: the temp dir is root's
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chronyd: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Kill()
			<-exited
		})
	}
	t.Cleanup(stop)
	// Ready when it answers (a validity check is the test's business).
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := ntp.QueryWithOptions(fmt.Sprintf("127.0.0.1:%d", port), ntp.QueryOptions{Timeout: 200 * time.Millisecond})
		if err == nil {
			return stop
		}
		select {
		case <-exited:
			t.Skipf("chronyd exited at start (cannot run it here): %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("chronyd did not answer on port %d within 5 s: %v\n%s", port, err, out.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a separate process, not a goroutine
	}
}

// clockRecorder is a fake SetClock: the real settimeofday is never called in tests.
type clockRecorder struct {
	mu  sync.Mutex
	set []time.Time
}

func (c *clockRecorder) SetClock(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = append(c.set, t)
	return nil
}

func (c *clockRecorder) calls() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.set...)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func TestSyncAgainstChrony(t *testing.T) {
	port := freeUDPPort(t)
	startChrony(t, port, true)
	tests := []struct {
		name     string
		skew     time.Duration // how far the local clock is off (local - real)
		wantStep bool
	}{
		{"clock right: no step", 0, false},
		{"clock 0.3 s behind: left alone", -300 * time.Millisecond, false},
		{"clock an hour behind: stepped", -time.Hour, true},
		{"clock an hour ahead: stepped", time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec clockRecorder
			var logs testutil.SyncBuffer
			s := New(Options{Server: "127.0.0.1", Port: port, SetClock: rec.SetClock,
				Now: func() time.Time { return time.Now().Add(tt.skew) },
				Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if err := s.Sync(context.Background()); err != nil {
				t.Fatalf("Sync: %v", err)
			}
			st := s.Status()
			if got, want := st.Offset, -tt.skew; abs(got-want) > 100*time.Millisecond {
				t.Errorf("offset: got %v, want %v ±100ms", got, want)
			}
			calls := rec.calls()
			if !tt.wantStep {
				if len(calls) != 0 || st.Stepped {
					t.Errorf("got steps %v (Stepped=%v), want none", calls, st.Stepped)
				}
				return
			}
			if len(calls) != 1 || !st.Stepped {
				t.Fatalf("got steps %v (Stepped=%v), want one", calls, st.Stepped)
			}
			if d := abs(time.Since(calls[0])); d > 100*time.Millisecond {
				t.Errorf("clock set to %v: %v from the real time, want within 100ms", calls[0], d)
			}
			if n := strings.Count(logs.String(), "clock stepped"); n != 1 || !strings.Contains(logs.String(), "offset=") {
				t.Errorf("log: got %q, want one 'clock stepped' line with the offset", logs.String())
			}
		})
	}
}

func TestUnsynchronisedServerIsRefused(t *testing.T) {
	port := freeUDPPort(t)
	startChrony(t, port, false)
	var rec clockRecorder
	s := New(Options{Server: "127.0.0.1", Port: port, SetClock: rec.SetClock,
		Now: func() time.Time { return time.Now().Add(time.Hour) }})
	err := s.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not synchronised") {
		t.Fatalf("got %v, want a 'not synchronised' refusal", err)
	}
	if c := rec.calls(); len(c) != 0 {
		t.Errorf("got steps %v from an unsynchronised server, want none", c)
	}
	if st := s.Status(); st.Err == nil || !st.LastSync.IsZero() || st.Failures != 1 {
		t.Errorf("status: got %+v, want the error, no sync, 1 failure", st)
	}
}

// chrony 4.3 cannot be made to send a kiss-o'-death, so this one server answers a single query with
// a hand-built KoD RATE packet (RFC 5905 §7.4): stratum 0, reference ID "RATE".
func TestKissOfDeathIsRefused(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		n, from, err := pc.ReadFrom(buf)
		if err != nil || n < 48 {
			return
		}
		resp := make([]byte, 48)
		resp[0] = 0<<6 | 4<<3 | 4 // LI 0, version 4, mode 4 (server)
		resp[1] = 0               // stratum 0: kiss-o'-death
		copy(resp[12:16], "RATE")
		copy(resp[24:32], buf[40:48]) // origin = the client's transmit time
		now := uint64(time.Now().Unix()+2208988800) << 32
		binary.BigEndian.PutUint64(resp[32:], now)
		binary.BigEndian.PutUint64(resp[40:], now)
		pc.WriteTo(resp, from)
	}()
	var rec clockRecorder
	s := New(Options{Server: "127.0.0.1", Port: pc.LocalAddr().(*net.UDPAddr).Port, SetClock: rec.SetClock, Timeout: 2 * time.Second})
	err = s.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), `kiss-o'-death "RATE"`) {
		t.Fatalf("got %v, want a kiss-o'-death RATE refusal", err)
	}
	if c := rec.calls(); len(c) != 0 {
		t.Errorf("got steps %v, want none", c)
	}
}

func TestRunBacksOffThenRecovers(t *testing.T) {
	before := runtime.NumGoroutine()
	port := freeUDPPort(t) // nothing listens yet: every query fails at once
	var rec clockRecorder
	s := New(Options{Server: "127.0.0.1", Port: port, SetClock: rec.SetClock,
		FirstRetry: 20 * time.Millisecond, Interval: 200 * time.Millisecond, Timeout: time.Second})
	ranErr := make(chan error, 1)
	start := time.Now()
	go func() { ranErr <- s.Run(context.Background()) }()

	testutil.WaitWithin(t, 5*time.Second, "three failures", func() bool { return s.Status().Failures >= 3 })
	// Delays 20, 40 ms (±20 %) come before the third attempt: no busy loop.
	if el := time.Since(start); el < 48*time.Millisecond {
		t.Errorf("three failed attempts within %v, want at least 48ms of backoff between them", el)
	}
	if st := s.Status(); st.Err == nil || !strings.Contains(st.Err.Error(), "connection refused") || !st.LastSync.IsZero() {
		t.Errorf("status while down: got %+v, want a 'connection refused' error and no sync", st)
	}

	stopChrony := startChrony(t, port, true)
	testutil.WaitWithin(t, 5*time.Second, "a sync once chronyd runs", func() bool {
		st := s.Status()
		return st.Err == nil && !st.LastSync.IsZero()
	})
	if st := s.Status(); st.Failures != 0 || abs(st.Offset) > 100*time.Millisecond {
		t.Errorf("status after recovery: got %+v, want no failures and a small offset", st)
	}
	if c := rec.calls(); len(c) != 0 {
		t.Errorf("got steps %v with a right clock, want none", c)
	}

	s.Close()
	if err := <-ranErr; err != nil {
		t.Errorf("Run: got %v, want nil after Close", err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Errorf("Run after Close: got nil, want an error")
	}
	stopChrony() // its reader goroutines are the test's, not the Syncer's
	testutil.WaitWithin(t, 2*time.Second, "goroutines back to the start", func() bool { return runtime.NumGoroutine() <= before })
}

func TestCloseStopsAQueryInFlight(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s := New(Options{Server: "127.0.0.1", Port: pc.LocalAddr().(*net.UDPAddr).Port, Timeout: time.Minute})
	ran := make(chan error, 1)
	go func() { ran <- s.Run(context.Background()) }()
	testutil.WaitWithin(t, 2*time.Second, "the query to start", func() bool {
		buf := make([]byte, 64)
		pc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		n, _, _ := pc.ReadFrom(buf)
		return n > 0
	})
	start := time.Now()
	s.Close()
	<-ran
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Close took %v with a query waiting for a 1 min timeout, want it abandoned at once", el)
	}
}
