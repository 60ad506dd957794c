package exec

import (
	"context"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
)

type sink struct {
	raw chan *media.RawFrame
	enc chan *media.Frame
}

func newSink() *sink {
	return &sink{raw: make(chan *media.RawFrame, 1000), enc: make(chan *media.Frame, 1000)}
}
func (s *sink) WriteRaw(f *media.RawFrame)  { s.raw <- f }
func (s *sink) WriteEncoded(f *media.Frame) { s.enc <- f }

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := osexec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
}

func start(t *testing.T, command string, sk *sink) (cancel func(), done chan error) {
	t.Helper()
	s, err := New(command, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- s.Run(ctx, sk) }()
	return cancel, done
}

func waitDone(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s")
		return nil
	}
}

func TestY4MFromFFmpeg(t *testing.T) {
	needFFmpeg(t)
	defer goleak.VerifyNone(t)
	sk := newSink()
	cancel, done := start(t, "ffmpeg -loglevel error -re -f lavfi -i testsrc=size=160x120:rate=25 -pix_fmt yuv420p -f yuv4mpegpipe -", sk)
	var last time.Duration
	for i := 0; i < 5; i++ {
		select {
		case f := <-sk.raw:
			if f.Width != 160 || f.Height != 120 || len(f.Y) != 160*120 {
				t.Fatalf("frame %d: got %dx%d, want 160x120", i, f.Width, f.Height)
			}
			if i > 0 && f.PTS <= last {
				t.Fatalf("frame %d: got PTS %v after %v, want increasing", i, f.PTS, last)
			}
			last = f.PTS
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatalf("frame %d: none within 10 s", i)
		}
	}
	cancel()
	if err := waitDone(t, done); err != nil {
		t.Fatalf("Run after cancel: got %v, want nil", err)
	}
}

func TestH264FromFFmpeg(t *testing.T) {
	needFFmpeg(t)
	defer goleak.VerifyNone(t)
	sk := newSink()
	cancel, done := start(t, "ffmpeg -loglevel error -f lavfi -i testsrc=size=160x120:rate=25 -t 2 -c:v libx264 -g 25 -bf 0 -f h264 -", sk)
	defer cancel()
	err := waitDone(t, done)
	if err == nil || !strings.Contains(err.Error(), "status 0") {
		t.Fatalf("after the stream ended: got %v, want an error saying it exited with status 0", err)
	}
	close(sk.enc)
	var frames []*media.Frame
	for f := range sk.enc {
		frames = append(frames, f)
	}
	if len(frames) != 50 {
		t.Fatalf("got %d access units, want 50", len(frames))
	}
	for i, f := range frames {
		if f.Codec != media.CodecH264 {
			t.Fatalf("AU %d: got codec %v, want H264", i, f.Codec)
		}
		if want := i%25 == 0; f.Key != want {
			t.Errorf("AU %d: got Key=%v, want %v", i, f.Key, want)
		}
		if i > 0 && f.PTS <= frames[i-1].PTS {
			t.Errorf("AU %d: got PTS %v after %v, want increasing", i, f.PTS, frames[i-1].PTS)
		}
	}
	for _, n := range frames[0].NALUs {
		if n[0]&0x1f == 7 {
			if w, h, err := h264.SPSInfo(n); err != nil || w != 160 || h != 120 {
				t.Fatalf("SPS: got %dx%d, %v; want 160x120", w, h, err)
			}
			return
		}
	}
	t.Fatal("first access unit has no SPS")
}

func TestCommandExits(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name    string
		command string
		want    []string
	}{
		{"exit status and stderr", `sh -c 'echo first >&2; echo boom >&2; exit 3'`, []string{"exit status 3", "first | boom"}},
		{"not video", `echo hello`, []string{"want YUV4MPEG2 or H.264", "68 65 6c 6c"}},
		{"missing binary", `/nonexistent/cam`, []string{"start", "/nonexistent/cam"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cancel, done := start(t, tt.command, newSink())
			defer cancel()
			err := waitDone(t, done)
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCancelKillsProcessGroup(t *testing.T) {
	defer goleak.VerifyNone(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	sk := newSink()
	// The shell starts a child that holds stdout open, then sends one 2x2 frame.
	cancel, done := start(t, `sh -c 'sleep 1000 & echo $! > `+pidFile+`; printf "YUV4MPEG2 W2 H2\nFRAME\nABCDEF"; wait'`, sk)
	select {
	case f := <-sk.raw:
		if string(f.Y) != "ABCD" || string(f.Cb) != "E" || string(f.Cr) != "F" {
			t.Fatalf("got planes %q %q %q, want ABCD E F", f.Y, f.Cb, f.Cr)
		}
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no frame within 10 s")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := waitDone(t, done); err != nil {
		t.Fatalf("Run after cancel: got %v, want nil", err)
	}
	// The grandchild must be gone (or a zombie waiting for init to reap it).
	deadline := time.Now().Add(5 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d still running after cancel: %s", pid, stat)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
