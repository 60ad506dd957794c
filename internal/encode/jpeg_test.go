package encode

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// quadrantFrame draws four flat quadrants with distinct luma and chroma, so a swapped or shifted
// plane shows up as a wrong quadrant mean.
func quadrantFrame(w, h int) (*media.RawFrame, [4][3]float64) {
	want := [4][3]float64{ // Y, Cb, Cr for top-left, top-right, bottom-left, bottom-right
		{60, 90, 200}, {120, 200, 90}, {180, 128, 160}, {220, 160, 110},
	}
	f := media.NewRawFrame(w, h)
	quad := func(x, y, w, h int) int {
		q := 0
		if x >= w/2 {
			q++
		}
		if y >= h/2 {
			q += 2
		}
		return q
	}
	for y := range h {
		for x := range w {
			f.Y[y*w+x] = byte(want[quad(x, y, w, h)][0])
		}
	}
	cw, ch := w/2, h/2
	for y := range ch {
		for x := range cw {
			q := quad(x, y, cw, ch)
			f.Cb[y*cw+x] = byte(want[q][1])
			f.Cr[y*cw+x] = byte(want[q][2])
		}
	}
	return f, want
}

// NoisyFrame returns a realistic 1280×720-like test picture: smooth gradients plus sensor-like
// noise, which compresses like a camera image rather than a flat test card.
func noisyFrame(w, h int, seed uint64) *media.RawFrame {
	r := rand.New(rand.NewPCG(seed, 1))
	f := media.NewRawFrame(w, h)
	for y := range h {
		for x := range w {
			v := 40 + (x*120)/w + (y*60)/h + r.IntN(13) - 6
			f.Y[y*w+x] = byte(min(max(v, 0), 255))
		}
	}
	cw := w / 2
	for y := range h / 2 {
		for x := range cw {
			f.Cb[y*cw+x] = byte(110 + (x*40)/cw + r.IntN(7) - 3)
			f.Cr[y*cw+x] = byte(140 - (y*40)/(h/2) + r.IntN(7) - 3)
		}
	}
	return f
}

// quadrantMeans averages each component over the inner part of each quadrant (away from the
// edges, where 4:2:0 and DCT ringing blur).
func quadrantMeans(t *testing.T, img *image.YCbCr) [4][3]float64 {
	t.Helper()
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	var out [4][3]float64
	for q := range 4 {
		x0, y0 := (q%2)*w/2+w/8, (q/2)*h/2+h/8
		x1, y1 := x0+w/4, y0+h/4
		var s [3]float64
		n := 0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				s[0] += float64(img.Y[img.YOffset(x, y)])
				ci := img.COffset(x, y)
				s[1] += float64(img.Cb[ci])
				s[2] += float64(img.Cr[ci])
				n++
			}
		}
		for c := range 3 {
			out[q][c] = s[c] / float64(n)
		}
	}
	return out
}

func TestJPEGEncodeDecodes(t *testing.T) {
	tests := []struct {
		name    string
		w, h    int
		quality int
		tol     float64
	}{
		{"720p q80", 1280, 720, 80, 3},
		{"small q95", 64, 48, 95, 3},
		{"odd-block size q50", 322, 182, 50, 4},
		{"default quality", 320, 240, 0, 3},
	}
	enc := NewJPEG()
	defer enc.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, want := quadrantFrame(tc.w, tc.h)
			prefix := []byte("prefix")
			out, err := enc.Encode(append([]byte(nil), prefix...), f, tc.quality)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.HasPrefix(out, prefix) {
				t.Fatalf("Encode did not append to dst: got prefix %q", out[:min(len(out), 8)])
			}
			data := out[len(prefix):]
			if !bytes.HasPrefix(data, []byte{0xFF, 0xD8}) || !bytes.HasSuffix(data, []byte{0xFF, 0xD9}) {
				t.Fatalf("not a complete JPEG: starts % x, ends % x", data[:2], data[len(data)-2:])
			}
			if !bytes.Contains(data, []byte{0xFF, 0xC0}) {
				t.Errorf("no baseline SOF0 marker (FF C0) in the JPEG")
			}
			if bytes.Contains(data, []byte{0xFF, 0xC2}) {
				t.Errorf("progressive SOF2 marker found, want baseline only")
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("image/jpeg decode: %v", err)
			}
			ycc, ok := img.(*image.YCbCr)
			if !ok {
				t.Fatalf("decoded %T, want *image.YCbCr", img)
			}
			if ycc.SubsampleRatio != image.YCbCrSubsampleRatio420 {
				t.Errorf("subsampling: got %v, want 4:2:0", ycc.SubsampleRatio)
			}
			if got := ycc.Rect.Size(); got != image.Pt(tc.w, tc.h) {
				t.Fatalf("size: got %v, want %dx%d", got, tc.w, tc.h)
			}
			got := quadrantMeans(t, ycc)
			comp := [3]string{"Y", "Cb", "Cr"}
			for q := range 4 {
				for c := range 3 {
					if d := got[q][c] - want[q][c]; d > tc.tol || d < -tc.tol {
						t.Errorf("quadrant %d %s mean: got %.1f, want %.0f ± %.0f", q, comp[c], got[q][c], want[q][c], tc.tol)
					}
				}
			}
		})
	}
}

func TestJPEGQualityChangesSize(t *testing.T) {
	enc := NewJPEG()
	defer enc.Close()
	f := noisyFrame(320, 240, 7)
	lo, err := enc.Encode(nil, f, 20)
	if err != nil {
		t.Fatal(err)
	}
	hi, err := enc.Encode(nil, f, 95)
	if err != nil {
		t.Fatal(err)
	}
	if len(lo) >= len(hi) {
		t.Errorf("quality 20 gave %d bytes, quality 95 %d bytes: want q20 smaller", len(lo), len(hi))
	}
}

func TestJPEGEncodeRejectsBadFrames(t *testing.T) {
	good := media.NewRawFrame(16, 16)
	tests := []struct {
		name string
		f    *media.RawFrame
	}{
		{"nil", nil},
		{"odd width", &media.RawFrame{Width: 15, Height: 16, Y: good.Y, Cb: good.Cb, Cr: good.Cr}},
		{"zero height", &media.RawFrame{Width: 16, Height: 0, Y: good.Y, Cb: good.Cb, Cr: good.Cr}},
		{"short luma", &media.RawFrame{Width: 16, Height: 16, Y: good.Y[:100], Cb: good.Cb, Cr: good.Cr}},
		{"short chroma", &media.RawFrame{Width: 16, Height: 16, Y: good.Y, Cb: good.Cb, Cr: good.Cr[:10]}},
	}
	enc := NewJPEG()
	defer enc.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			out, err := enc.Encode(dst, tc.f, 80)
			if err == nil {
				t.Fatalf("Encode: got nil error, want one")
			}
			if string(out) != "keep" {
				t.Errorf("dst on error: got %q, want %q", out, "keep")
			}
		})
	}
}

func TestJPEGEncodeSteadyStateAllocs(t *testing.T) {
	enc := NewJPEG()
	defer enc.Close()
	f := noisyFrame(640, 360, 3)
	buf, err := enc.Encode(nil, f, 80)
	if err != nil {
		t.Fatal(err)
	}
	buf = make([]byte, 0, 2*len(buf))
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := enc.Encode(buf[:0], f, 80); err != nil {
			t.Fatal(err)
		}
	})
	// TurboJPEG writes into its own C buffer and we copy once into dst: nothing is allocated.
	// image/jpeg allocates its encoder state on every call; only report it.
	if JPEGBackend == "turbojpeg" && allocs != 0 {
		t.Errorf("allocations per Encode with %s: got %v, want 0", JPEGBackend, allocs)
	}
	t.Logf("%s: %v allocations per Encode", JPEGBackend, allocs)
}

func TestJPEGFFprobeReadsIt(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not installed")
	}
	enc := NewJPEG()
	defer enc.Close()
	data, err := enc.Encode(nil, noisyFrame(1280, 720, 1), 80)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "frame.jpg")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,pix_fmt", "-of", "default=nw=1", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"codec_name=mjpeg", "width=1280", "height=720", "pix_fmt=yuvj420p"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ffprobe: got %q, want %q", got, want)
	}
}

func BenchmarkJPEG720p(b *testing.B) {
	enc := NewJPEG()
	defer enc.Close()
	f := noisyFrame(1280, 720, 42)
	buf, err := enc.Encode(nil, f, 80)
	if err != nil {
		b.Fatal(err)
	}
	buf = make([]byte, 0, 2*len(buf))
	b.ReportAllocs()
	b.SetBytes(int64(media.I420Size(1280, 720)))
	b.ResetTimer()
	for b.Loop() {
		out, err := enc.Encode(buf[:0], f, 80)
		if err != nil {
			b.Fatal(err)
		}
		buf = out
	}
	b.ReportMetric(float64(len(buf)), "jpeg-bytes")
}
