package motion

import (
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/synthetic"
)

// BenchmarkDetect720p measures one 1280×720 frame, downscale included, on the synthetic scene
// with the object crossing (so blobs are labelled too), cycling through 16 frames so the pictures
// are not all in the cache.
func BenchmarkDetect720p(b *testing.B) {
	benchDetect(b, 1280, 720)
}

// BenchmarkDetect768x576 is the same at the size of the vtest clip (Debian's motion: 3.75 ms per
// frame of it, its decode included).
func BenchmarkDetect768x576(b *testing.B) {
	benchDetect(b, 768, 576)
}

func benchDetect(b *testing.B, w, h int) {
	src := synthetic.New(synthetic.Options{Width: w, Height: h})
	frames := make([]*media.RawFrame, 16)
	for i := range frames {
		frames[i] = media.NewRawFrame(w, h)
		src.Render(frames[i], int64(22*25+i*5)) // 22 s into the script: the object is in view
	}
	d, err := NewDetector(Params{Width: w, Height: h, Sensitivity: 3})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 40 { // learn and warm up
		f := frames[i%len(frames)]
		d.Process(f.Y, f.Width, f.Height, time.Duration(i)*200*time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := frames[i%len(frames)]
		d.Process(f.Y, f.Width, f.Height, time.Duration(40+i)*200*time.Millisecond)
	}
}
