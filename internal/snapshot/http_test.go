package snapshot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/testutil"
)

func get(t *testing.T, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, body
}

func TestHTTPSnapshotSizes(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(1280, 720, 1)[0], 7))
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)

	tests := []struct {
		path         string
		wantW, wantH int
	}{
		{"/cgi-bin/currentpic.cgi", 1280, 720},
		{"/cgi-bin/currentpic.cgi?1700000000123", 1280, 720}, // the firmware page's cache buster
		{"/snapshot.jpg", 1280, 720},
		{"/snapshot.jpg?width=640", 640, 360},
		{"/snapshot.jpg?height=180&quality=50", 320, 180},
		{"/snapshot.jpg?width=200&height=200", 200, 200},
		{"/snapshot.jpg?width=4000", 1280, 720},
		{"/snapshot.jpg?width=&height=", 1280, 720},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, http.MethodGet, srv.URL+tc.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status: got %d, want 200 (%s)", resp.StatusCode, body)
			}
			for k, want := range map[string]string{
				"Content-Type":   "image/jpeg",
				"Content-Length": fmt.Sprint(len(body)),
				"Cache-Control":  "no-store",
				"X-Frame-Id":     "7",
				"X-Frame-Time":   withID(mb.Latest(), 7).Time.UTC().Format(time.RFC3339Nano),
				"Last-Modified":  withID(mb.Latest(), 7).Time.UTC().Format(http.TimeFormat),
			} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: got %q, want %q", k, got, want)
				}
			}
			img, err := jpeg.Decode(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := img.Bounds().Size(); got != image.Pt(tc.wantW, tc.wantH) {
				t.Errorf("size: got %v, want %dx%d", got, tc.wantW, tc.wantH)
			}
			if ycc, ok := img.(*image.YCbCr); !ok || ycc.SubsampleRatio != image.YCbCrSubsampleRatio420 {
				t.Errorf("got %T, want 4:2:0 *image.YCbCr", img)
			}
		})
	}
}

func TestHTTPSnapshotFFprobe(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not installed")
	}
	var mb Mailbox
	mb.Put(withID(noisyFrames(1280, 720, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	_, body := get(t, http.MethodGet, srv.URL+"/snapshot.jpg?width=480")
	path := filepath.Join(t.TempDir(), "snap.jpg")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,pix_fmt", "-of", "default=nw=1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	got := strings.Join(strings.Fields(string(out)), " ")
	want := "codec_name=mjpeg width=480 height=270 pix_fmt=yuvj420p"
	if got != want {
		t.Errorf("ffprobe: got %q, want %q", got, want)
	}
}

func TestHTTPHead(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(320, 240, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	_, full := get(t, http.MethodGet, srv.URL+"/snapshot.jpg")
	resp, body := get(t, http.MethodHead, srv.URL+"/snapshot.jpg")
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("HEAD: got %d with %d body bytes, want 200 and none", resp.StatusCode, len(body))
	}
	if got, want := resp.Header.Get("Content-Length"), fmt.Sprint(len(full)); got != want {
		t.Errorf("HEAD Content-Length: got %s, want %s", got, want)
	}
	resp, _ = get(t, http.MethodPost, srv.URL+"/snapshot.jpg")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: got %d Allow %q, want 405 Allow \"GET, HEAD\"", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestHTTPNoFrameYet(t *testing.T) {
	c := New(&Mailbox{}, Options{RetryAfter: 2 * time.Second, FirstFrameWait: -1})
	defer c.Close()
	srv := newTestServer(t, c)
	for _, path := range []string{"/cgi-bin/currentpic.cgi", "/snapshot.jpg", "/mjpeg"} {
		t.Run(path, func(t *testing.T) {
			resp, _ := get(t, http.MethodGet, srv.URL+path)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status: got %d, want 503", resp.StatusCode)
			}
			if got := resp.Header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After: got %q, want \"2\"", got)
			}
		})
	}
}

func TestHTTPNoFrameReasonExplainsAPermanentAbsence(t *testing.T) {
	c := New(&Mailbox{}, Options{NoFrameReason: func() string { return "this source delivers only H.264" }, FirstFrameWait: -1})
	defer c.Close()
	srv := newTestServer(t, c)
	for _, path := range []string{"/cgi-bin/currentpic.cgi", "/snapshot.jpg", "/mjpeg"} {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, http.MethodGet, srv.URL+path)
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "only H.264") {
				t.Errorf("got %d %q, want 503 with the reason", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Retry-After"); got != "" {
				t.Errorf("got Retry-After %q, want none: retrying will not help", got)
			}
		})
	}
}

func TestHTTPBadParameters(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(320, 240, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	tests := []struct {
		path string
		want string
	}{
		{"/snapshot.jpg?width=abc", `width: must be an integer between 16 and 8192 (got "abc")`},
		{"/snapshot.jpg?width=8", `width: must be an integer between 16 and 8192 (got "8")`},
		{"/snapshot.jpg?height=-1", `height: must be an integer between 16 and 8192 (got "-1")`},
		{"/snapshot.jpg?height=99999", `height: must be an integer between 16 and 8192 (got "99999")`},
		{"/snapshot.jpg?quality=0", `quality: must be an integer between 1 and 100 (got "0")`},
		{"/snapshot.jpg?quality=101", `quality: must be an integer between 1 and 100 (got "101")`},
		{"/mjpeg?fps=0", `fps: must be a number between 0.1 and 60 (got "0")`},
		{"/mjpeg?fps=NaN", `fps: must be a number between 0.1 and 60 (got "NaN")`},
		{"/mjpeg?fps=fast", `fps: must be a number between 0.1 and 60 (got "fast")`},
		{"/mjpeg?quality=200", `quality: must be an integer between 1 and 100 (got "200")`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, http.MethodGet, srv.URL+tc.path)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status: got %d, want 400", resp.StatusCode)
			}
			if got := strings.TrimSpace(string(body)); got != tc.want {
				t.Errorf("body: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHTTPConcurrentRequestsEncodeOnce(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(1280, 720, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	release := make(chan struct{})
	c.beforeEncode = func() { <-release }

	const n = 20
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	for i := range n {
		wg.Go(func() {
			resp, err := http.Get(srv.URL + "/snapshot.jpg?width=640")
			if err != nil {
				t.Errorf("GET: %v", err)
				return
			}
			defer resp.Body.Close()
			bodies[i], _ = io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status: got %d, want 200", resp.StatusCode)
			}
		})
	}
	testutil.WaitFor(t, "19 requests to wait for the encode", func() bool { return c.Stats().Shared == n-1 })
	close(release)
	wg.Wait()
	if got := c.Stats().Encodes; got != 1 {
		t.Errorf("encodes for %d concurrent HTTP requests: got %d, want 1", n, got)
	}
	for i := range bodies {
		if len(bodies[i]) == 0 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("response %d differs from response 0 (%d vs %d bytes)", i, len(bodies[i]), len(bodies[0]))
		}
	}
}

// openMJPEG starts a stream and returns its reader and a function that hangs up.
func openMJPEG(t *testing.T, url string) (*http.Response, *bufio.Reader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	return resp, bufio.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }
}

func TestMJPEGStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var mb Mailbox
	frames := noisyFrames(640, 360, 4)
	c := New(&mb, Options{})
	srv := newTestServer(t, c)
	stop := producer(&mb, frames, 1, 10*time.Millisecond)
	defer stop()

	resp, br, hangUp := openMJPEG(t, srv.URL+"/mjpeg?width=320&quality=60")
	if got, want := resp.Header.Get("Content-Type"), "multipart/x-mixed-replace; boundary="+mjpegBoundary; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	var last uint64
	seen := map[string]bool{}
	for i := range 6 {
		p, err := readPart(br)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if p.id <= last {
			t.Errorf("part %d: frame %d after frame %d, want increasing", i, p.id, last)
		}
		last = p.id
		img, err := jpeg.Decode(bytes.NewReader(p.jpeg))
		if err != nil {
			t.Fatalf("part %d: decode: %v", i, err)
		}
		if got := img.Bounds().Size(); got != image.Pt(320, 180) {
			t.Errorf("part %d: size got %v, want 320x180", i, got)
		}
		seen[string(p.jpeg)] = true
	}
	if len(seen) < 2 {
		t.Errorf("distinct pictures in 6 parts: got %d, want at least 2", len(seen))
	}

	// The client goes away: its handler must return.
	hangUp()
	testutil.WaitFor(t, "the stream to end after the client left", func() bool { return c.Stats().Streams == 0 })
	stop()
	c.Close()
	srv.Close()
	http.DefaultClient.CloseIdleConnections()
}

func TestMJPEGEndsOnClose(t *testing.T) {
	var mb Mailbox
	c := New(&mb, Options{})
	srv := newTestServer(t, c)
	mb.Put(withID(noisyFrames(160, 120, 1)[0], 1))
	_, br, hangUp := openMJPEG(t, srv.URL+"/mjpeg")
	defer hangUp()
	if _, err := readPart(br); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a stream was open")
	}
	if _, err := readPart(br); err == nil {
		t.Errorf("read after Close: got a part, want the stream to end")
	}
	if got := c.Stats().Streams; got != 0 {
		t.Errorf("streams after Close: got %d, want 0", got)
	}
	resp, _ := get(t, http.MethodGet, srv.URL+"/mjpeg")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("stream after Close: got %d, want 503", resp.StatusCode)
	}
}

func TestMJPEGSlowClientSkipsFrames(t *testing.T) {
	var mb Mailbox
	frames := noisyFrames(320, 240, 3)
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	mb.Put(withID(frames[0], 1))
	_, br, hangUp := openMJPEG(t, srv.URL+"/mjpeg")
	defer hangUp()
	if p, err := readPart(br); err != nil || p.id != 1 {
		t.Fatalf("first part: got frame %d, %v; want frame 1", p.id, err)
	}
	// 200 frames arrive while the client reads nothing.
	const last = 201
	for id := uint64(2); id <= last; id++ {
		mb.Put(withID(frames[id%3], id))
	}
	parts := 0
	for {
		p, err := readPart(br)
		if err != nil {
			t.Fatal(err)
		}
		parts++
		if p.id == last {
			break
		}
	}
	if parts >= last-1 {
		t.Errorf("parts sent for %d frames put at once: got %d, want frames skipped", last-1, parts)
	}
	if enc := c.Stats().Encodes; enc > uint64(parts)+1 {
		t.Errorf("encodes: got %d for %d parts, want no encodes for skipped frames", enc, parts)
	}
}

func TestMJPEGFPSCap(t *testing.T) {
	var mb Mailbox
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	stop := producer(&mb, noisyFrames(160, 120, 2), 1, 5*time.Millisecond)
	defer stop()
	_, br, hangUp := openMJPEG(t, srv.URL+"/mjpeg?fps=10")
	defer hangUp()
	start := time.Now()
	for i := range 4 {
		if _, err := readPart(br); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	// 4 parts at 10 fps span at least 3 intervals; the producer alone would give them in 20 ms.
	if got := time.Since(start); got < 290*time.Millisecond {
		t.Errorf("4 parts at fps=10 took %v, want at least 300 ms", got)
	}
}

func TestMJPEGFFmpegReadsStream(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed")
	}
	var mb Mailbox
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(t, c)
	stop := producer(&mb, noisyFrames(640, 360, 4), 1, 20*time.Millisecond)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-nostdin", "-v", "error",
		"-f", "mjpeg", "-i", srv.URL+"/mjpeg", "-frames:v", "5", "-f", "null", "-")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("ffmpeg printed errors, want none:\n%s", s)
	}
}

func TestMJPEGCloseAbortsBlockedWrite(t *testing.T) {
	// Incompressible frames at quality 100 give JPEGs of about a megabyte, so a client that
	// stops reading blocks the server's write after a few parts.
	r := rand.New(rand.NewPCG(3, 4))
	frames := make([]*media.RawFrame, 2)
	for i := range frames {
		f := media.NewRawFrame(1280, 720)
		for j := range f.Y {
			f.Y[j] = byte(r.Uint32())
		}
		for j := range f.Cb {
			f.Cb[j], f.Cr[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		frames[i] = f
	}
	var mb Mailbox
	c := New(&mb, Options{WriteTimeout: time.Minute})
	srv := newTestServer(t, c)
	stop := producer(&mb, frames, 1, 5*time.Millisecond)
	defer stop()
	_, _, hangUp := openMJPEG(t, srv.URL+"/mjpeg?quality=100")
	defer hangUp()

	// The stream is stuck in a write once frames keep coming but no new encodes happen.
	deadline := time.Now().Add(20 * time.Second)
	for last, since := c.Stats().Encodes, time.Now(); time.Since(since) < 300*time.Millisecond; {
		if time.Now().After(deadline) {
			t.Fatal("the stream never blocked on the client that does not read")
		}
		time.Sleep(10 * time.Millisecond)
		if n := c.Stats().Encodes; n != last {
			last, since = n, time.Now()
		}
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a blocked write (WriteTimeout is a minute)")
	}
	if got := time.Since(start); got > 5*time.Second {
		t.Errorf("Close took %v with a blocked stream, want well under WriteTimeout", got)
	}
}
