package rtsp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// needBinary returns the path of a peer program or skips the test.
func needBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// Test clips: 4 s of 320x240 testsrc at 25 fps, GOP 25, no B-frames, made by ffmpeg once per
// test binary and split into access units. The noisy one (at QP 15) has frames of about 30 KB,
// 20–30 RTP packets like a real camera's, where the plain pattern compresses to one or two.
const (
	plainClip = "testsrc=size=320x240:rate=25"
	noisyClip = "testsrc=size=320x240:rate=25,noise=alls=40:allf=t+u -qp 15"
)

var clips struct {
	mu  sync.Mutex
	aus map[string][]h264.AccessUnit
}

func testClip(t testing.TB) []h264.AccessUnit { return makeClip(t, plainClip) }

func makeClip(t testing.TB, source string) []h264.AccessUnit {
	t.Helper()
	ffmpeg := needBinary(t, "ffmpeg")
	clips.mu.Lock()
	defer clips.mu.Unlock()
	if aus, ok := clips.aus[source]; ok {
		return aus
	}
	file := filepath.Join(t.TempDir(), "clip.h264")
	filter, encArgs, _ := strings.Cut(source, " ")
	args := []string{"-v", "error", "-f", "lavfi", "-i", filter, "-t", "4", "-c:v", "libx264"}
	args = append(args, strings.Fields(encArgs)...)
	args = append(args, "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264", file)
	out, err := exec.Command(ffmpeg, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("making the test clip: ffmpeg: %v: %s", err, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var aus []h264.AccessUnit
	sp := h264.NewSplitter(0)
	emit := func(au h264.AccessUnit) { aus = append(aus, au) }
	if err := sp.Write(data, emit); err != nil {
		t.Fatal(err)
	}
	if err := sp.Flush(emit); err != nil {
		t.Fatal(err)
	}
	if len(aus) != 100 || !aus[0].Key {
		t.Fatalf("test clip: got %d access units (first key %v), want 100 starting on a keyframe",
			len(aus), len(aus) > 0 && aus[0].Key)
	}
	if clips.aus == nil {
		clips.aus = make(map[string][]h264.AccessUnit)
	}
	clips.aus[source] = aus
	return aus
}

// clipFrames turns the clip into frames with PTS at 25 fps, looping as long as needed.
func clipFrame(aus []h264.AccessUnit, n int, start time.Time) *media.Frame {
	au := aus[n%len(aus)]
	pts := time.Duration(n) * 40 * time.Millisecond
	return &media.Frame{Codec: media.CodecH264, PTS: pts, Time: start.Add(pts), Key: au.Key, NALUs: au.NALUs}
}

// publishLoop publishes frames into hub at 25 fps from a goroutine until the test ends. The first
// GOP is published at once, so the hub has parameters and a GOP when it returns.
func publishLoop(t testing.TB, hub *stream.Hub, frame func(n int) *media.Frame) {
	t.Helper()
	const prefill = 25
	for n := range prefill {
		hub.Publish(frame(n))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for n := prefill; ; n++ {
			select {
			case <-tick.C:
				hub.Publish(frame(n))
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// h264Hub returns a hub fed with the plain test clip.
func h264Hub(t testing.TB) *stream.Hub { return clipHub(t, plainClip) }

// clipHub returns a hub fed with a test clip at 25 fps.
func clipHub(t testing.TB, source string) *stream.Hub {
	aus := makeClip(t, source)
	hub := stream.New(stream.Options{})
	start := time.Now()
	publishLoop(t, hub, func(n int) *media.Frame { return clipFrame(aus, n, start) })
	return hub
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startServer starts a server on a free loopback port with UDP off unless opts asks for it, and
// closes it when the test ends.
func startServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	if opts.Address == "" {
		opts.Address = "127.0.0.1:0"
	}
	if opts.UDPRTPPort == 0 {
		opts.DisableUDP = true
	}
	if opts.Logger == nil {
		opts.Logger = discardLogger()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s, "rtsp://" + s.Addr().String()
}

// freeUDPPair finds an even UDP port whose successor is free too, on 127.0.0.1.
func freeUDPPair(t testing.TB) int {
	t.Helper()
	for range 50 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port &^ 1
		c.Close()
		a, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		b, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port+1))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return port
	}
	t.Fatal("no free UDP port pair")
	return 0
}

// runPeer runs a peer program with a deadline and returns its exit error and stderr.
func runPeer(t testing.TB, timeout time.Duration, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	return so.String(), strings.TrimSpace(se.String()), err
}
