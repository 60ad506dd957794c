package rtsp

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"
	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/stream"

	"github.com/freecam/freecam/internal/testutil"
)

// goClient is a gortsplib client playing the unicast H.264 stream over TCP, recording what it
// receives.
type goClient struct {
	c *gortsplib.Client

	mu        sync.Mutex
	aus       int
	firstIDR  time.Time
	lastSeq   uint16
	lastTS    uint32
	packets   int
	seqGaps   int
	tsBack    int
	resuming  bool // the next packet follows a PAUSE: a gap is expected there
	resumeSeq *uint16
	idrSignal chan struct{}
}

// dialClient connects, DESCRIBEs and SETUPs; Play starts the flow.
func dialClient(t testing.TB, url string) (*goClient, error) {
	t.Helper()
	u, err := base.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	tcp := gortsplib.ProtocolTCP
	gc := &goClient{idrSignal: make(chan struct{})}
	gc.c = &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Protocol: &tcp,
		OnPacketsLost: func(uint64) {}} // counted by the test itself
	if err := gc.c.Start(); err != nil {
		return nil, err
	}
	desc, _, err := gc.c.Describe(u)
	if err != nil {
		gc.c.Close()
		return nil, err
	}
	var forma *format.H264
	medi := desc.FindFormat(&forma)
	if medi == nil {
		gc.c.Close()
		return nil, errors.New("no H264 media in the SDP")
	}
	if len(forma.SPS) == 0 || len(forma.PPS) == 0 {
		gc.c.Close()
		return nil, errors.New("SDP has no sprop-parameter-sets")
	}
	dec, err := forma.CreateDecoder()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gc.c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		gc.c.Close()
		return nil, err
	}
	gc.c.OnPacketRTP(medi, forma, func(pkt *rtp.Packet) {
		gc.mu.Lock()
		if gc.resuming {
			gc.resuming = false
			seq := pkt.SequenceNumber
			gc.resumeSeq = &seq
		} else if gc.packets > 0 {
			if pkt.SequenceNumber != gc.lastSeq+1 {
				gc.seqGaps++
			}
			if int32(pkt.Timestamp-gc.lastTS) < 0 {
				gc.tsBack++
			}
		}
		gc.packets++
		gc.lastSeq, gc.lastTS = pkt.SequenceNumber, pkt.Timestamp
		gc.mu.Unlock()

		au, err := dec.Decode(pkt)
		if err != nil {
			return
		}
		gc.mu.Lock()
		defer gc.mu.Unlock()
		gc.aus++
		if gc.firstIDR.IsZero() && h264.IsRandomAccess(au) {
			gc.firstIDR = time.Now()
			close(gc.idrSignal)
		}
	})
	t.Cleanup(gc.c.Close)
	return gc, nil
}

func (gc *goClient) received() (aus, seqGaps, tsBack int) {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	return gc.aus, gc.seqGaps, gc.tsBack
}

// timeToKeyframe PLAYs and returns the time until the first complete IDR access unit.
func (gc *goClient) timeToKeyframe(t testing.TB) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := gc.c.Play(nil); err != nil {
		t.Fatalf("PLAY: %v", err)
	}
	select {
	case <-gc.idrSignal:
	case <-time.After(10 * time.Second):
		t.Fatal("no keyframe within 10 s")
	}
	gc.mu.Lock()
	defer gc.mu.Unlock()
	return gc.firstIDR.Sub(start)
}

func TestTimeToFirstKeyframe(t *testing.T) {
	_, url := startServer(t, Options{Hub: h264Hub(t)})

	const conns = 10
	var times []time.Duration
	for i := range conns {
		gc, err := dialClient(t, url+"/unicast")
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		times = append(times, gc.timeToKeyframe(t))
		gc.c.Close()
	}
	t.Logf("time from PLAY to first complete IDR: first %v, all %v", times[0], times)
	slices.Sort(times)
	median := times[conns/2]
	t.Logf("median over %d connections: %v", conns, median)
	if times[0] > 100*time.Millisecond || median > 100*time.Millisecond {
		t.Errorf("time to first keyframe: got fastest %v, median %v, want < 100ms", times[0], median)
	}
}

// TestWriteCoalescing counts socket writes per frame for one TCP reader.
func TestWriteCoalescing(t *testing.T) {
	s, url := startServer(t, Options{Hub: clipHub(t, noisyClip)})
	gc, err := dialClient(t, url+"/unicast")
	if err != nil {
		t.Fatal(err)
	}
	gc.timeToKeyframe(t)
	testutil.WaitWithin(t, 10*time.Second, "75 access units", func() bool {
		aus, _, _ := gc.received()
		return aus >= 75
	})

	st := s.Stats()
	if len(st.Readers) != 1 || len(st.Conns) != 1 {
		t.Fatalf("got %d readers and %d conns, want 1 and 1", len(st.Readers), len(st.Conns))
	}
	r, c := st.Readers[0], st.Conns[0]
	perFrame := float64(c.Writes) / float64(r.Frames)
	pktPerFrame := float64(r.Packets) / float64(r.Frames)
	t.Logf("%d frames, %d RTP packets (%.2f per frame), %d socket writes (%.2f per frame, RTSP responses and RTCP included)",
		r.Frames, r.Packets, pktPerFrame, c.Writes, perFrame)
	if pktPerFrame < 1.5 {
		t.Fatalf("got %.2f packets per frame: the clip is too small to show coalescing", pktPerFrame)
	}
	if perFrame > 1.5 {
		t.Errorf("socket writes per frame: got %.2f, want <= 1.5", perFrame)
	}
	if _, gaps, back := gc.received(); gaps != 0 || back != 0 {
		t.Errorf("got %d sequence gaps and %d timestamps going back, want 0 and 0", gaps, back)
	}
}

// TestPauseAndTeardownFreeReaders checks that PAUSE and TEARDOWN free the session's hub Reader
// and that a resumed session continues its sequence numbers and clock.
func TestPauseAndTeardownFreeReaders(t *testing.T) {
	hub := h264Hub(t)
	s, url := startServer(t, Options{Hub: hub})
	gc, err := dialClient(t, url+"/unicast")
	if err != nil {
		t.Fatal(err)
	}
	hubReaders := func() int { return len(hub.Stats().Readers) }

	gc.timeToKeyframe(t)
	if got := hubReaders(); got != 1 {
		t.Fatalf("playing: got %d hub readers, want 1", got)
	}
	if _, err := gc.c.Pause(); err != nil {
		t.Fatalf("PAUSE: %v", err)
	}
	if got := hubReaders(); got != 0 {
		t.Fatalf("paused: got %d hub readers, want 0", got)
	}
	before, _, _ := gc.received()
	gc.mu.Lock()
	gc.resuming = true
	gc.mu.Unlock()
	res, err := gc.c.Play(nil)
	if err != nil {
		t.Fatalf("PLAY again: %v", err)
	}
	var info headers.RTPInfo
	if err := info.Unmarshal(res.Header["RTP-Info"]); err != nil || len(info) != 1 || info[0].SequenceNumber == nil {
		t.Fatalf("PLAY response RTP-Info %q: %v, want one entry with seq", res.Header["RTP-Info"], err)
	}
	testutil.WaitWithin(t, 5*time.Second, "frames after resuming", func() bool {
		aus, _, _ := gc.received()
		return aus >= before+30
	})
	gc.mu.Lock()
	resumeSeq := gc.resumeSeq
	gc.mu.Unlock()
	if resumeSeq == nil || *resumeSeq != *info[0].SequenceNumber {
		t.Errorf("first packet after PLAY: got seq %v, want RTP-Info's %d", resumeSeq, *info[0].SequenceNumber)
	}
	// Packets queued when PAUSE came are dropped by gortsplib; the sequence then continues
	// from RTP-Info, and is gap-free everywhere else.
	if _, gaps, back := gc.received(); gaps != 0 || back != 0 {
		t.Errorf("across PAUSE/PLAY: got %d sequence gaps and %d timestamps going back, want 0 and 0", gaps, back)
	}
	gc.c.Close()
	testutil.WaitWithin(t, 5*time.Second, "the session to close", func() bool {
		return s.Stats().Sessions == 0 && hubReaders() == 0
	})
}

func TestAuthenticateHook(t *testing.T) {
	hub := h264Hub(t)
	var calls atomic.Int32
	_, url := startServer(t, Options{Hub: hub, Authenticate: func(user, pass string) bool {
		calls.Add(1)
		return user == "viewer" && pass == "pw"
	}})
	host := strings.TrimPrefix(url, "rtsp://")
	tests := []struct {
		name, userinfo string
		ok             bool
	}{
		{"right", "viewer:pw@", true},
		{"wrong", "viewer:nope@", false},
		{"none", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gc, err := dialClient(t, "rtsp://"+tt.userinfo+host+"/unicast")
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				gc.timeToKeyframe(t)
				return
			}
			var bad liberrors.ErrClientBadStatusCode
			if !errors.As(err, &bad) || bad.Code != base.StatusUnauthorized {
				t.Fatalf("got %v, want 401", err)
			}
		})
	}
	if calls.Load() == 0 {
		t.Error("Authenticate was never called")
	}
}

// rawRequest sends one RTSP request on a fresh connection and returns the response head.
func rawRequest(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading response: %v (so far %q)", err, head.String())
		}
		if line == "\r\n" {
			return head.String()
		}
		head.WriteString(line)
	}
}

func TestUnauthorizedOffersBasicAndDigest(t *testing.T) {
	s, _ := startServer(t, Options{Hub: h264Hub(t), Username: "admin", Password: "pw"})
	addr := s.Addr().String()
	res := rawRequest(t, addr, fmt.Sprintf("DESCRIBE rtsp://%s/unicast RTSP/1.0\r\nCSeq: 1\r\n\r\n", addr))
	for _, want := range []string{"RTSP/1.0 401", "WWW-Authenticate: Basic", "WWW-Authenticate: Digest"} {
		if !strings.Contains(res, want) {
			t.Errorf("response %q: want it to contain %q", res, want)
		}
	}
}

func TestDescribeBeforeStreamIsUp(t *testing.T) {
	hub := stream.New(stream.Options{})
	s, _ := startServer(t, Options{Hub: hub, WaitParams: 50 * time.Millisecond})
	addr := s.Addr().String()
	tests := []struct{ path, want string }{
		{"unicast", "RTSP/1.0 503"},
		{"nope", "RTSP/1.0 404"},
	}
	for _, tt := range tests {
		res := rawRequest(t, addr, fmt.Sprintf("DESCRIBE rtsp://%s/%s RTSP/1.0\r\nCSeq: 1\r\n\r\n", addr, tt.path))
		if !strings.HasPrefix(res, tt.want) {
			t.Errorf("DESCRIBE /%s: got %q, want %q", tt.path, strings.SplitN(res, "\r\n", 2)[0], tt.want)
		}
	}
}

func TestStartFailsWhenPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	s, err := New(Options{Hub: stream.New(stream.Options{}), Address: addr, DisableUDP: true, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Start()
	want := "rtsp: listen " + addr + ": address already in use"
	if err == nil || err.Error() != want {
		t.Errorf("Start: got %v, want %q", err, want)
	}
}

func TestCloseWithReadersLeavesNoGoroutines(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) }) // runs last, after the publisher stopped
	hub := h264Hub(t)
	s, url := startServer(t, Options{Hub: hub})
	var clients []*goClient
	for range 3 {
		gc, err := dialClient(t, url+"/unicast")
		if err != nil {
			t.Fatal(err)
		}
		gc.timeToKeyframe(t)
		clients = append(clients, gc)
	}
	if got := len(hub.Stats().Readers); got != 3 {
		t.Fatalf("got %d hub readers, want 3", got)
	}
	s.Close()
	if got := len(hub.Stats().Readers); got != 0 {
		t.Errorf("after Close: got %d hub readers, want 0", got)
	}
	for _, gc := range clients {
		gc.c.Close()
	}
}
