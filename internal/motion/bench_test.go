package motion

import (
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/synthetic"
)

// BenchmarkDetect720p measures one 1280×720 frame, downscale included, on the synthetic scene
// with the object crossing (so blobs are labelled too).
func BenchmarkDetect720p(b *testing.B) {
	src := synthetic.New(synthetic.Options{Width: 1280, Height: 720})
	frames := make([]*media.RawFrame, 16)
	for i := range frames {
		frames[i] = media.NewRawFrame(1280, 720)
		src.Render(frames[i], int64(22*25+i*5)) // 22 s into the script: the object is in view
	}
	d, err := NewDetector(Params{Width: 1280, Height: 720, Sensitivity: 3})
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
