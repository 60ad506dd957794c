package osd

import (
	"image"
	"image/color"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

func TestMarker(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color Color
	}{{"red", Red}, {"green", Green}, {"purple", Purple}, {"hex", RGBA(255, 128, 0, 255)}} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{}) // text off: the marker shows anyway
			r.SetMarker(true, tc.color)
			f := grey(1280, 720, 128)
			r.Draw(f)
			box, n := changed(grey(1280, 720, 128), f)
			// A disc of diameter 18 (2.5 % of 720) one radius from the top and right edges.
			if want := image.Rect(1280-27, 9, 1280-9, 27); box != want {
				t.Errorf("got marker box %v, want %v", box, want)
			}
			if n < 240 || n > 270 { // π·9² ≈ 254
				t.Errorf("got %d marker pixels, want about 254", n)
			}
			rr, gg, bb, _ := tc.color.RGBA()
			wy, wcb, wcr := color.RGBToYCbCr(rr, gg, bb)
			i := 18*1280 + 1280 - 18 // the centre
			ci := 9*640 + 640 - 9
			if f.Y[i] != wy || f.Cb[ci] != wcb || f.Cr[ci] != wcr {
				t.Errorf("got YCbCr %d,%d,%d at the centre, want %d,%d,%d", f.Y[i], f.Cb[ci], f.Cr[ci], wy, wcb, wcr)
			}
			if on, c := r.Marker(); !on || c != tc.color {
				t.Errorf("got Marker() %t, %#x, want true, %#x", on, c, tc.color)
			}
		})
	}
}

func TestMarkerOff(t *testing.T) {
	r := New(Options{})
	r.SetMarker(true, Red)
	r.SetMarker(false, Red)
	f := grey(1280, 720, 128)
	r.Draw(f)
	if box, n := changed(grey(1280, 720, 128), f); n != 0 {
		t.Errorf("got %d changed pixels in %v with the marker off, want none", n, box)
	}
	if on, _ := r.Marker(); on {
		t.Errorf("got Marker() on, want off")
	}
}

func TestMarkerWithTextAndSmallFrames(t *testing.T) {
	r := New(Options{Enabled: true})
	r.SetMarker(true, Blue)
	f := grey(640, 360, 128)
	r.Draw(f)
	if _, n := changed(grey(640, 360, 128), f); n == 0 {
		t.Fatal("got no pixels changed, want text and marker")
	}
	// Diameter max(2.5 % of 360, 4) = 9: radius 4.5, centre (631, 9).
	if got, want := f.Y[9*640+631], func() uint8 { y, _, _ := color.RGBToYCbCr(0, 0, 255); return y }(); got != want {
		t.Errorf("got luma %d at the marker centre, want %d", got, want)
	}
	for _, sz := range [][2]int{{2, 2}, {4, 4}, {7, 3}} {
		r.Draw(grey(sz[0], sz[1], 128)) // must not panic
	}
	r.Draw(nil)
}

func TestMarkerConcurrentSet(t *testing.T) {
	r := New(Options{Enabled: true})
	f := grey(320, 240, 128)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			r.SetMarker(i%2 == 0, Color(i%8))
		}
	})
	for range 50 {
		r.Draw(f)
	}
	wg.Wait()
}

func BenchmarkOSDDraw720pMarker(b *testing.B) {
	r := New(Options{Enabled: true})
	r.SetMarker(true, Red)
	f := grey(1280, 720, 128)
	r.Draw(f)
	b.ReportAllocs()
	for b.Loop() {
		r.Draw(f)
	}
}

func TestAreasCoverTheTextAndTheMarker(t *testing.T) {
	r := New(Options{Enabled: true})
	f := media.NewRawFrame(1280, 720)
	f.Time = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	r.Draw(f)
	areas := r.AppendAreas(nil, 1280, 720)
	if len(areas) != 2 {
		t.Fatalf("got %d areas, want the text box and the marker", len(areas))
	}
	// Every pixel the text changed lies in the first area.
	blank := media.NewRawFrame(1280, 720)
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			if f.Y[y*1280+x] != blank.Y[y*1280+x] && !image.Pt(x, y).In(areas[0]) {
				t.Fatalf("got a text pixel at (%d,%d) outside the area %v", x, y, areas[0])
			}
		}
	}
	r.SetMarker(true, Red)
	m := media.NewRawFrame(1280, 720)
	r.SetOptions(Options{Enabled: false})
	r.Draw(m)
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			if m.Y[y*1280+x] != blank.Y[y*1280+x] && !image.Pt(x, y).In(areas[1]) {
				t.Fatalf("got a marker pixel at (%d,%d) outside the area %v", x, y, areas[1])
			}
		}
	}
	if got := r.AppendAreas(nil, 1280, 720); len(got) != 1 {
		t.Errorf("got %d areas with the text off, want only the marker's", len(got))
	}
}

func TestAppendAreasDoesNotAllocateWithABuffer(t *testing.T) {
	r := New(Options{Enabled: true})
	f := media.NewRawFrame(1280, 720)
	r.Draw(f)
	buf := make([]image.Rectangle, 0, 4)
	if n := testing.AllocsPerRun(100, func() { buf = r.AppendAreas(buf[:0], 1280, 720) }); n != 0 {
		t.Errorf("got %v allocations per call, want 0", n)
	}
}
