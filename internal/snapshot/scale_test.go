package snapshot

import (
	"fmt"
	"testing"

	"github.com/freecam/freecam/internal/media"
)

func TestFitSize(t *testing.T) {
	tests := []struct {
		srcW, srcH, reqW, reqH int
		wantW, wantH           int
	}{
		{1280, 720, 0, 0, 1280, 720},
		{1280, 720, 640, 0, 640, 360},
		{1280, 720, 0, 360, 640, 360},
		{1280, 720, 641, 0, 640, 360},     // odd rounds down to even
		{1280, 720, 320, 320, 320, 320},   // both given: exactly that
		{1280, 720, 1920, 0, 1280, 720},   // never upscale
		{1280, 720, 2560, 720, 1280, 360}, // too wide: shrink keeping the requested 32:9
		{1280, 720, 1280, 1440, 640, 720},
		{1280, 720, 16, 0, 16, 16}, // 16×9 → minimum 16
		{1920, 1080, 0, 100, 178, 100},
		{8, 8, 100, 0, 8, 8}, // tiny source stays as is
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%dx%d_req_%dx%d", tc.srcW, tc.srcH, tc.reqW, tc.reqH), func(t *testing.T) {
			w, h := FitSize(tc.srcW, tc.srcH, tc.reqW, tc.reqH)
			if w != tc.wantW || h != tc.wantH {
				t.Errorf("got %dx%d, want %dx%d", w, h, tc.wantW, tc.wantH)
			}
		})
	}
}

// gradFrame fills luma with x+2y (mod 256-free: values stay below 256 for small frames) and
// chroma with distinct constants.
func gradFrame(w, h int) *media.RawFrame {
	f := media.NewRawFrame(w, h)
	for y := range h {
		for x := range w {
			f.Y[y*w+x] = byte((x + 2*y) % 256)
		}
	}
	for i := range f.Cb {
		f.Cb[i], f.Cr[i] = 70, 190
	}
	return f
}

func TestScaleBoxFilter(t *testing.T) {
	tests := []struct {
		name   string
		sw, sh int
		dw, dh int
	}{
		{"half", 64, 32, 32, 16},
		{"third", 60, 30, 20, 10},
		{"non-integer", 64, 48, 22, 18},
		{"width only", 64, 48, 32, 48},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := gradFrame(tc.sw, tc.sh)
			src.ID = 9
			var s Scaler
			d := s.Scale(src, tc.dw, tc.dh)
			if d.Width != tc.dw || d.Height != tc.dh || len(d.Y) != tc.dw*tc.dh || len(d.Cb) != (tc.dw/2)*(tc.dh/2) {
				t.Fatalf("got %dx%d (Y %d, Cb %d bytes), want %dx%d", d.Width, d.Height, len(d.Y), len(d.Cb), tc.dw, tc.dh)
			}
			if d.ID != 9 {
				t.Errorf("ID: got %d, want 9", d.ID)
			}
			// Each output pixel is the rounded mean of its source box.
			for j := range tc.dh {
				y0, y1 := j*tc.sh/tc.dh, (j+1)*tc.sh/tc.dh
				for i := range tc.dw {
					x0, x1 := i*tc.sw/tc.dw, (i+1)*tc.sw/tc.dw
					sum, n := 0, 0
					for y := y0; y < y1; y++ {
						for x := x0; x < x1; x++ {
							sum += int(src.Y[y*tc.sw+x])
							n++
						}
					}
					want := byte((sum + n/2) / n)
					if got := d.Y[j*tc.dw+i]; got != want {
						t.Fatalf("Y(%d,%d): got %d, want %d", i, j, got, want)
					}
				}
			}
			for i := range d.Cb {
				if d.Cb[i] != 70 || d.Cr[i] != 190 {
					t.Fatalf("chroma %d: got Cb %d Cr %d, want 70 190", i, d.Cb[i], d.Cr[i])
				}
			}
		})
	}
}

func TestScaleSameSizeReturnsSource(t *testing.T) {
	src := gradFrame(32, 32)
	var s Scaler
	if got := s.Scale(src, 32, 32); got != src {
		t.Errorf("Scale to the source size: got a copy, want the source itself")
	}
}

func TestScaleReusesBuffers(t *testing.T) {
	src := gradFrame(320, 240)
	var s Scaler
	s.Scale(src, 100, 74)
	allocs := testing.AllocsPerRun(5, func() { s.Scale(src, 100, 74) })
	if allocs != 0 {
		t.Errorf("allocations per Scale in steady state: got %v, want 0", allocs)
	}
}

func BenchmarkScale720pTo360p(b *testing.B) {
	src := gradFrame(1280, 720)
	var s Scaler
	b.ReportAllocs()
	b.SetBytes(int64(media.I420Size(1280, 720)))
	for b.Loop() {
		s.Scale(src, 640, 360)
	}
}

func BenchmarkScale720pTo480x270(b *testing.B) {
	src := gradFrame(1280, 720)
	var s Scaler
	b.ReportAllocs()
	b.SetBytes(int64(media.I420Size(1280, 720)))
	for b.Loop() {
		s.Scale(src, 480, 270)
	}
}
