package rtsp

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"

	"github.com/freecam/freecam/internal/testutil"
)

func TestFFprobeReportsStream(t *testing.T) {
	ffprobe := needBinary(t, "ffprobe")
	_, url := startServer(t, Options{Hub: h264Hub(t)})

	out, stderr, err := runPeer(t, 20*time.Second, ffprobe, "-v", "error", "-rtsp_transport", "tcp",
		"-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
		url+"/unicast")
	if err != nil {
		t.Fatalf("ffprobe: %v: %s", err, stderr)
	}
	if got, want := strings.TrimSpace(out), "h264,320,240"; got != want {
		t.Errorf("ffprobe: got %q, want %q", got, want)
	}
}

// TestFFmpegDecodes runs Home Assistant's command over TCP and UDP: it must decode 30 frames
// without printing a single error.
func TestFFmpegDecodes(t *testing.T) {
	ffmpeg := needBinary(t, "ffmpeg")
	hub := h264Hub(t)
	for _, transport := range []string{"tcp", "udp"} {
		t.Run(transport, func(t *testing.T) {
			opts := Options{Hub: hub}
			if transport == "udp" {
				opts.UDPRTPPort = freeUDPPair(t)
			}
			_, url := startServer(t, opts)
			_, stderr, err := runPeer(t, 30*time.Second, ffmpeg, "-v", "error",
				"-rtsp_transport", transport, "-i", url+"/unicast", "-frames:v", "30", "-f", "null", "-")
			if err != nil {
				t.Fatalf("ffmpeg: %v: %s", err, stderr)
			}
			if stderr != "" {
				t.Errorf("ffmpeg printed errors:\n%s", stderr)
			}
		})
	}
}

func TestFFmpegAuthentication(t *testing.T) {
	ffmpeg := needBinary(t, "ffmpeg")
	hub := h264Hub(t)
	_, url := startServer(t, Options{Hub: hub, Username: "admin", Password: "s3cret"})
	host := strings.TrimPrefix(url, "rtsp://")

	tests := []struct {
		name     string
		userinfo string
		ok       bool
	}{
		{"right password", "admin:s3cret@", true},
		{"wrong password", "admin:wrong@", false},
		{"wrong user", "root:s3cret@", false},
		{"no credentials", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runPeer(t, 30*time.Second, ffmpeg, "-v", "error", "-rtsp_transport", "tcp",
				"-i", "rtsp://"+tt.userinfo+host+"/unicast", "-frames:v", "5", "-f", "null", "-")
			if tt.ok {
				if err != nil || stderr != "" {
					t.Fatalf("got error %v (%s), want a clean decode", err, stderr)
				}
				return
			}
			if err == nil {
				t.Fatalf("got exit 0, want a refusal")
			}
			if !strings.Contains(stderr, "401") {
				t.Errorf("got stderr %q, want it to mention 401", stderr)
			}
		})
	}
}

func TestGStreamerPlays(t *testing.T) {
	gst := needBinary(t, "gst-launch-1.0")
	_, url := startServer(t, Options{Hub: h264Hub(t)})
	out, stderr, err := runPeer(t, 30*time.Second, gst, "-q", "rtspsrc", "location="+url+"/unicast",
		"protocols=tcp", "!", "decodebin", "!", "fakesink", "num-buffers=30")
	if err != nil {
		t.Fatalf("gst-launch: %v\nstdout: %s\nstderr: %s", err, out, stderr)
	}
}

func TestTenConcurrentFFmpegReaders(t *testing.T) {
	ffmpeg := needBinary(t, "ffmpeg")
	s, url := startServer(t, Options{Hub: h264Hub(t)})

	const n = 10
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			_, stderr, err := runPeer(t, 60*time.Second, ffmpeg, "-v", "error", "-rtsp_transport", "tcp",
				"-i", url+"/unicast", "-frames:v", "30", "-f", "null", "-")
			if err != nil || stderr != "" {
				errs[i] = strings.TrimSpace(stderr)
				if err != nil {
					errs[i] += " (" + err.Error() + ")"
				}
			}
		})
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("reader %d: %s", i, e)
		}
	}
	// Every session's hub Reader is freed once its client has gone.
	testutil.WaitWithin(t, 10*time.Second, "sessions to close", func() bool { return s.Stats().Sessions == 0 })
}

// jpegFrame encodes a moving test picture with image/jpeg.
func jpegFrame(t testing.TB, n int, start time.Time) *media.Frame {
	img := image.NewYCbCr(image.Rect(0, 0, 320, 240), image.YCbCrSubsampleRatio420)
	for y := range 240 {
		for x := range 320 {
			img.Y[y*img.YStride+x] = uint8(x + y + 4*n)
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, uint8(64+n%128)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Error(err)
	}
	pts := time.Duration(n) * 40 * time.Millisecond
	return &media.Frame{Codec: media.CodecMJPEG, PTS: pts, Time: start.Add(pts), Key: true,
		NALUs: [][]byte{buf.Bytes()}}
}

func TestMJPEGDecodes(t *testing.T) {
	ffmpeg := needBinary(t, "ffmpeg")
	hub := stream.New(stream.Options{})
	start := time.Now()
	frames := make([]*media.Frame, 25)
	for i := range frames {
		frames[i] = jpegFrame(t, i, start)
	}
	publishLoop(t, hub, func(n int) *media.Frame {
		f := *frames[n%len(frames)]
		f.PTS = time.Duration(n) * 40 * time.Millisecond
		return &f
	})
	_, url := startServer(t, Options{Hub: hub, Codec: media.CodecMJPEG})

	_, stderr, err := runPeer(t, 30*time.Second, ffmpeg, "-v", "error", "-rtsp_transport", "tcp",
		"-i", url+"/unicast", "-frames:v", "10", "-f", "null", "-")
	if err != nil || stderr != "" {
		t.Fatalf("ffmpeg: %v: %s", err, stderr)
	}
	ffprobe := needBinary(t, "ffprobe")
	out, stderr, err := runPeer(t, 20*time.Second, ffprobe, "-v", "error", "-rtsp_transport", "tcp",
		"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url+"/unicast")
	if err != nil {
		t.Fatalf("ffprobe: %v: %s", err, stderr)
	}
	if got, want := strings.TrimSpace(out), "mjpeg,320,240"; got != want {
		t.Errorf("ffprobe: got %q, want %q", got, want)
	}
}
