package y4m

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/media"
)

// ffmpegFiles writes 5 frames of testsrc at 64x48, 10 fps, as y4m and as raw I420, or skips.
func ffmpegFiles(t *testing.T) (y4mPath string, raw []byte) {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed")
	}
	dir := t.TempDir()
	y4mPath = filepath.Join(dir, "file.y4m")
	rawPath := filepath.Join(dir, "file.yuv")
	for _, args := range [][]string{
		{"-f", "yuv4mpegpipe", y4mPath},
		{"-f", "rawvideo", rawPath},
	} {
		cmd := exec.Command(ffmpeg, append([]string{"-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
			"-frames:v", "5", "-pix_fmt", "yuv420p"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
	}
	raw, err = os.ReadFile(rawPath)
	if err != nil {
		t.Fatal(err)
	}
	return y4mPath, raw
}

func TestReaderFFmpeg(t *testing.T) {
	path, raw := ffmpegFiles(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	if got, want := r.Format(), (media.VideoFormat{Width: 64, Height: 48, FPSNum: 10, FPSDen: 1}); got != want {
		t.Fatalf("Format: got %+v, want %+v", got, want)
	}
	size := media.I420Size(64, 48)
	var frame media.RawFrame
	for i := 0; i < 5; i++ {
		if err := r.ReadFrame(&frame); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		got := append(append(append([]byte(nil), frame.Y...), frame.Cb...), frame.Cr...)
		if want := raw[i*size : (i+1)*size]; !bytes.Equal(got, want) {
			t.Fatalf("frame %d: pictures differ from ffmpeg's rawvideo output", i)
		}
	}
	if err := r.ReadFrame(&frame); err != io.EOF {
		t.Fatalf("after the last frame: got %v, want io.EOF", err)
	}
}

func TestHeaders(t *testing.T) {
	frame := strings.Repeat("\x80", 4*2*3/2)
	tests := []struct {
		name    string
		in      string
		wantErr []string // substrings; nil means success
	}{
		{"no C tag", "YUV4MPEG2 W4 H2 F25:1 Ip A1:1\nFRAME\n" + frame, nil},
		{"C420jpeg with X tag", "YUV4MPEG2 W4 H2 F30000:1001 C420jpeg XYSCSS=420JPEG\nFRAME\n" + frame, nil},
		{"C420paldv", "YUV4MPEG2 W4 H2 C420paldv\nFRAME Ixyz\n" + frame, nil},
		{"C420mpeg2", "YUV4MPEG2 W4 H2 C420mpeg2 A0:0\nFRAME\n" + frame, nil},
		{"C420", "YUV4MPEG2 W4 H2 C420\nFRAME\n" + frame, nil},
		{"C422", "YUV4MPEG2 W4 H2 C422\n", []string{"C422", ConvertHint}},
		{"Cmono", "YUV4MPEG2 W4 H2 Cmono\n", []string{"Cmono", ConvertHint}},
		{"10 bit", "YUV4MPEG2 W4 H2 C420p10\n", []string{"C420p10", ConvertHint}},
		{"odd width", "YUV4MPEG2 W5 H2\n", []string{"odd picture size 5x2"}},
		{"odd height", "YUV4MPEG2 W4 H3\n", []string{"odd picture size 4x3"}},
		{"no size", "YUV4MPEG2 F25:1\n", []string{"no W or H"}},
		{"bad rate", "YUV4MPEG2 W4 H2 F25\n", []string{"bad F tag"}},
		{"zero rate", "YUV4MPEG2 W4 H2 F0:1\n", []string{"bad F tag"}},
		{"huge", "YUV4MPEG2 W100000 H2\n", []string{"bad W tag"}},
		{"not y4m", "RIFF....WAVE\n", []string{"not a YUV4MPEG2 stream"}},
		{"no newline", "YUV4MPEG2 W4 H2", []string{"stream header"}},
		{"bad frame header", "YUV4MPEG2 W4 H2\nFRAMEX\n" + frame, []string{"want a FRAME header"}},
		{"truncated frame", "YUV4MPEG2 W4 H2\nFRAME\n" + frame[:5], []string{"unexpected EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in))
			if err == nil {
				var f media.RawFrame
				err = r.ReadFrame(&f)
				if err == nil && (f.Width != 4 || f.Height != 2 || f.Y[0] != 0x80) {
					t.Fatalf("got %dx%d Y[0]=%d, want 4x2 Y[0]=128", f.Width, f.Height, f.Y[0])
				}
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil, want an error containing %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("got %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestSourceErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.y4m")
	if err := os.WriteFile(path, []byte("YUV4MPEG2 W4 H2 C444\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := New(path, Options{}).Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "C444") || !strings.Contains(err.Error(), ConvertHint) {
		t.Fatalf("got %v, want an error naming %s, C444 and the ffmpeg hint", err, path)
	}
	empty := filepath.Join(t.TempDir(), "empty.y4m")
	if err := os.WriteFile(empty, []byte("YUV4MPEG2 W4 H2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := New(empty, Options{}).Run(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "no frames") {
		t.Fatalf("empty file: got %v, want a \"no frames\" error", err)
	}
}

type chanSink chan *media.RawFrame

func (c chanSink) WriteRaw(f *media.RawFrame) { c <- f }
func (c chanSink) WriteEncoded(*media.Frame)  { panic("y4m wrote an encoded frame") }

func TestSourceLoops(t *testing.T) {
	defer goleak.VerifyNone(t)
	path, raw := ffmpegFiles(t)
	s := New(path, Options{FPSNum: 200, FPSDen: 1})
	if got, want := s.Format(), (media.VideoFormat{Width: 64, Height: 48, FPSNum: 200, FPSDen: 1}); got != want {
		t.Fatalf("Format: got %+v, want %+v", got, want)
	}
	sink := make(chanSink)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, sink) }()
	size := media.I420Size(64, 48)
	for n := 0; n < 12; n++ {
		var f *media.RawFrame
		select {
		case f = <-sink:
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(5 * time.Second):
			t.Fatalf("frame %d: none within 5 s", n)
		}
		if want := time.Duration(n) * 5 * time.Millisecond; f.PTS != want {
			t.Errorf("frame %d: got PTS %v, want %v", n, f.PTS, want)
		}
		if f.Time.IsZero() {
			t.Errorf("frame %d: Time not set", n)
		}
		i := n % 5
		if !bytes.Equal(f.Y, raw[i*size:i*size+64*48]) {
			t.Errorf("frame %d: got a picture other than file frame %d", n, i)
		}
	}
	cancel()
	// The source may be blocked handing over the next frame; drain until it returns.
	for {
		select {
		case <-sink:
			continue
		case err := <-done:
			if err != nil {
				t.Fatalf("Run after cancel: got %v, want nil", err)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s of cancel")
		}
	}
}

func FuzzHeader(f *testing.F) {
	f.Add([]byte("YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\nFRAME\n"))
	f.Add([]byte("YUV4MPEG2 W4 H2 C422\n"))
	f.Add([]byte("YUV4MPEG2 W4 H2 F30000:1001\nFRAME Ixy\n\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		h := r.Header()
		if h.Width <= 0 || h.Height <= 0 || h.Width%2 != 0 || h.Height%2 != 0 || h.Width > maxDimension || h.Height > maxDimension {
			t.Fatalf("accepted a header with size %dx%d", h.Width, h.Height)
		}
		if (h.FPSNum == 0) != (h.FPSDen == 0) {
			t.Fatalf("accepted a half rate %d/%d", h.FPSNum, h.FPSDen)
		}
		var frame media.RawFrame
		for i := 0; i < 3; i++ {
			if err := r.ReadFrame(&frame); err != nil {
				if errors.Is(err, io.EOF) && err != io.EOF {
					t.Fatalf("got a wrapped io.EOF %v, want io.EOF or io.ErrUnexpectedEOF", err)
				}
				return
			}
			if len(frame.Y) != h.Width*h.Height {
				t.Fatalf("got a luma plane of %d bytes, want %d", len(frame.Y), h.Width*h.Height)
			}
		}
	})
}
