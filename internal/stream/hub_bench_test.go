package stream

import (
	"context"
	"fmt"
	"testing"

	"github.com/freecam/freecam/internal/media"
)

// BenchmarkHubFanout measures Publish with N readers that keep up, reported per reader per frame.
func BenchmarkHubFanout(b *testing.B) {
	for _, readers := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			h := New(Options{QueueLen: 1 << 14})
			rs := make([]*Reader, readers)
			for i := range rs {
				rs[i] = h.NewReader("bench")
			}
			// Frames are built up front so the figure is the hub's cost alone.
			frames := make([]*media.Frame, 100)
			for i := range frames {
				frames[i] = frame(i, 50)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				h.Publish(frames[i%len(frames)])
				if i%1024 == 1023 { // drain so queues never fill
					for _, r := range rs {
						for r.Stats().Queued > 0 {
							_, _ = r.Read(ctx)
						}
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(readers), "ns/reader/frame")
			for _, r := range rs {
				r.Close()
			}
		})
	}
}
