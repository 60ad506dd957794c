package synthetic

import (
	"context"
	"crypto/sha256"
	"image"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/media"
)

func render(s *Source, n int64) *media.RawFrame {
	f := s.newFrame()
	s.Render(f, n)
	return f
}

func hash(f *media.RawFrame) [32]byte {
	h := sha256.New()
	h.Write(f.Y)
	h.Write(f.Cb)
	h.Write(f.Cr)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

func TestDeterminism(t *testing.T) {
	opts := Options{Width: 320, Height: 240, Seed: 7}
	a, b := New(opts), New(opts)
	other := New(Options{Width: 320, Height: 240, Seed: 8})
	if got, want := hash(render(a, 37)), hash(render(b, 37)); got != want {
		t.Fatalf("same seed and index: got hash %x, want %x", got, want)
	}
	// A dirty destination must not leak into the picture: Render writes every byte.
	dirty := a.newFrame()
	for i := range dirty.Y {
		dirty.Y[i] = 1
	}
	a.Render(dirty, 37)
	if got, want := hash(dirty), hash(render(b, 37)); got != want {
		t.Fatalf("render into a dirty frame: got hash %x, want %x", got, want)
	}
	if hash(render(a, 37)) == hash(render(a, 38)) {
		t.Fatal("frames 37 and 38 are identical, want every frame to change")
	}
	if hash(render(a, 37)) == hash(render(other, 37)) {
		t.Fatal("seeds 7 and 8 give the same picture, want different noise")
	}
}

func meanLuma(f *media.RawFrame, r image.Rectangle) float64 {
	sum := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += int(f.Y[y*f.Width+x])
		}
	}
	return float64(sum) / float64(r.Dx()*r.Dy())
}

func TestObjectWhereScriptSays(t *testing.T) {
	s := New(Options{Width: 640, Height: 360, FPSNum: 10, FPSDen: 1})
	tests := []struct {
		at      time.Duration
		visible bool
	}{
		{5 * time.Second, false},
		{20 * time.Second, true},
		{25 * time.Second, true},
		{29900 * time.Millisecond, true},
		{35 * time.Second, false},
		{42 * time.Second, true},
		{50 * time.Second, false},
		{85 * time.Second, true}, // the script repeats
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			n := int64(tt.at / (100 * time.Millisecond))
			r, ok := s.ObjectAt(s.PTS(n))
			if ok != tt.visible {
				t.Fatalf("ObjectAt(%v): got visible=%v, want %v", tt.at, ok, tt.visible)
			}
			f := render(s, n)
			if !ok {
				// Nothing as bright as the object anywhere in the scene's middle band.
				mid := image.Rect(0, 360/4, 640*3/4, 360*3/4)
				for y := mid.Min.Y; y < mid.Max.Y; y++ {
					for x := mid.Min.X; x < mid.Max.X; x++ {
						if v := f.Y[y*640+x]; v >= objectLuma {
							t.Fatalf("pixel (%d,%d): got luma %d in a quiet period, want < %d", x, y, v, objectLuma)
						}
					}
				}
				return
			}
			if !r.In(image.Rect(0, 0, 640, 360)) {
				t.Fatalf("object %v outside the picture", r)
			}
			if got := meanLuma(f, r); got != objectLuma {
				t.Errorf("mean luma inside %v: got %.1f, want %d", r, got, objectLuma)
			}
			left := image.Rect(r.Min.X-20, r.Min.Y, r.Min.X-2, r.Max.Y).Intersect(image.Rect(0, 0, 640, 360))
			right := image.Rect(r.Max.X+2, r.Min.Y, r.Max.X+20, r.Max.Y).Intersect(image.Rect(0, 0, 640, 360))
			for _, side := range []image.Rectangle{left, right} {
				if side.Empty() {
					continue
				}
				if got := meanLuma(f, side); got > 200 {
					t.Errorf("mean luma beside the object %v: got %.1f, want background (<= 200)", side, got)
				}
			}
		})
	}
}

func TestNightLook(t *testing.T) {
	s := New(Options{Width: 320, Height: 240, Seed: 1})
	day := render(s, 3)
	s.SetNight(true)
	night := render(s, 3)
	for i, v := range night.Cb {
		if v != 128 || night.Cr[i] != 128 {
			t.Fatalf("night chroma %d: got Cb=%d Cr=%d, want 128", i, v, night.Cr[i])
		}
	}
	dayChroma := 0
	for _, v := range day.Cb {
		if v != 128 {
			dayChroma++
		}
	}
	if dayChroma < len(day.Cb)/2 {
		t.Fatalf("day picture: got %d of %d chroma samples off grey, want a coloured scene", dayChroma, len(day.Cb))
	}
	all := image.Rect(0, 0, 320, 240)
	if d, n := meanLuma(day, all), meanLuma(night, all); n >= d*0.7 {
		t.Fatalf("mean luma: got night %.1f, day %.1f; want night clearly darker", n, d)
	}
	s.SetNight(false)
	if got, want := hash(render(s, 3)), hash(day); got != want {
		t.Fatal("switching night off: got a different picture, want the day picture back")
	}
}

type chanSink struct{ raw chan *media.RawFrame }

func (c chanSink) WriteRaw(f *media.RawFrame) {
	select {
	case c.raw <- f:
	default:
	}
}
func (c chanSink) WriteEncoded(*media.Frame) { panic("synthetic source wrote an encoded frame") }

func TestRunPacesAndStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	wall := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := New(Options{Width: 64, Height: 64, FPSNum: 100, FPSDen: 1, Clock: func() time.Time { return wall }})
	sink := chanSink{raw: make(chan *media.RawFrame, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, sink) }()
	for n := int64(0); n < 5; n++ {
		select {
		case f := <-sink.raw:
			if f.PTS != time.Duration(n)*10*time.Millisecond {
				t.Errorf("frame %d: got PTS %v, want %v", n, f.PTS, time.Duration(n)*10*time.Millisecond)
			}
			if !f.Time.Equal(wall) {
				t.Errorf("frame %d: got Time %v, want the injected clock's %v", n, f.Time, wall)
			}
			if f.Width != 64 || f.Height != 64 || len(f.Y) != 64*64 || len(f.Cb) != 32*32 {
				t.Errorf("frame %d: got %dx%d with planes %d/%d, want 64x64 with 4096/1024", n, f.Width, f.Height, len(f.Y), len(f.Cb))
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("frame %d: none within 5 s", n)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of cancel")
	}
}

func TestFormatDefaults(t *testing.T) {
	got := New(Options{Width: 641, Height: 0}).Format()
	want := media.VideoFormat{Width: 640, Height: 720, FPSNum: 25, FPSDen: 1}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got, want := New(Options{FPSNum: 30000, FPSDen: 1001}).PTS(30000), 1001*time.Second; got != want {
		t.Fatalf("PTS(30000) at 30000/1001: got %v, want %v", got, want)
	}
}

func BenchmarkSyntheticFrame720p(b *testing.B) {
	s := New(Options{Width: 1280, Height: 720})
	s.Render(s.newFrame(), 0)
	b.ReportAllocs()
	n := int64(0)
	for b.Loop() {
		f := s.newFrame() // what Run does per frame: the sink keeps the frame
		s.Render(f, n)
		n++
	}
}

func BenchmarkSyntheticRender720p(b *testing.B) {
	s := New(Options{Width: 1280, Height: 720})
	f := s.newFrame()
	s.Render(f, 0)
	b.ReportAllocs()
	n := int64(0)
	for b.Loop() {
		s.Render(f, n)
		n++
	}
}
