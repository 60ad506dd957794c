package clip

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
)

// A 720p stream at 2 Mbit/s, 25 fps, one IDR every 2 s (the default GOP) about 8 times the size
// of a P frame: 250 kB a second.
const (
	benchFPS     = 25
	benchGOP     = 2 * benchFPS
	benchBitrate = 2_000_000
)

// SPS and PPS of x264 at 1280×720, High profile.
var (
	benchSPS = mustHex("6764001facb200a00b760220000003002000000641e30649")
	benchPPS = mustHex("68ebc3cb22c0")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// synthStream builds the frames of a synthetic 720p stream lasting d; payloads are random and
// shared between frames of the same kind (frames are read-only).
func synthStream(tb testing.TB, d time.Duration, t0 time.Time) []*media.Frame {
	tb.Helper()
	if w, h, err := h264.SPSInfo(benchSPS); err != nil || w != 1280 || h != 720 {
		tb.Fatalf("bench SPS: got %dx%d, %v, want 1280x720", w, h, err)
	}
	perGOP := benchBitrate / 8 * benchGOP / benchFPS
	pSize := perGOP / (benchGOP - 1 + 8)
	iSize := perGOP - pSize*(benchGOP-1)
	rnd := rand.New(rand.NewPCG(1, 2))
	payload := func(header byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		b[0] = header
		return b
	}
	idr, p := payload(0x65, iSize), payload(0x41, pSize)
	n := int(d * benchFPS / time.Second)
	frames := make([]*media.Frame, n)
	for i := range frames {
		pts := time.Duration(i) * time.Second / benchFPS
		f := &media.Frame{Codec: media.CodecH264, PTS: pts, Time: t0.Add(pts), Key: i%benchGOP == 0}
		if f.Key {
			f.NALUs = [][]byte{benchSPS, benchPPS, idr}
		} else {
			f.NALUs = [][]byte{p}
		}
		frames[i] = f
	}
	return frames
}

// clone copies the frame headers (the hub sets Seq), sharing the payloads.
func clone(frames []*media.Frame) []*media.Frame {
	out := make([]*media.Frame, len(frames))
	for i, f := range frames {
		c := *f
		out[i] = &c
	}
	return out
}

func prerollBytes(hub *stream.Hub) (bytes int, span time.Duration) {
	pre := hub.Preroll()
	for _, f := range pre {
		bytes += f.Size()
	}
	if len(pre) > 0 {
		span = pre[len(pre)-1].PTS - pre[0].PTS + time.Second/benchFPS
	}
	return bytes, span
}

// BenchmarkPrerollMemory publishes 10 s of the synthetic stream into a hub keeping a 3 s
// pre-roll and reports what the pre-roll holds at the end (preroll-bytes, preroll-s) and at
// most while running (peak-preroll-bytes).
func BenchmarkPrerollMemory(b *testing.B) {
	src := synthStream(b, 10*time.Second, time.Now())
	peak := 0
	hub := stream.New(stream.Options{Preroll: 3 * time.Second})
	for _, f := range clone(src) {
		hub.Publish(f)
		peak = max(peak, hub.Stats().WindowBytes)
	}
	b.ReportAllocs()
	var bytes int
	var span time.Duration
	for b.Loop() {
		b.StopTimer()
		frames := clone(src)
		b.StartTimer()
		hub := stream.New(stream.Options{Preroll: 3 * time.Second})
		for _, f := range frames {
			hub.Publish(f)
		}
		bytes, span = prerollBytes(hub)
	}
	b.ReportMetric(float64(bytes), "preroll-bytes")
	b.ReportMetric(span.Seconds(), "preroll-s")
	b.ReportMetric(float64(peak), "peak-preroll-bytes")
}

// BenchmarkRecord cuts a 10 s clip (4 s of pre-roll, 6 s live) from a hub that a producer feeds
// as fast as it can, to disk, including the final MP4 write and fsync.
func BenchmarkRecord(b *testing.B) {
	t0 := time.Now()
	src := synthStream(b, 12*time.Second, t0)
	preload := 4 * benchFPS
	dir := b.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	b.ReportAllocs()
	var res Result
	for b.Loop() {
		b.StopTimer()
		frames := clone(src)
		hub := stream.New(stream.Options{Preroll: 3 * time.Second, QueueLen: 1024})
		for _, f := range frames[:preload] {
			hub.Publish(f)
		}
		live := make(chan struct{})
		fed := make(chan struct{})
		b.StartTimer()
		go func() {
			defer close(fed)
			// Start once Record has taken the pre-roll: fed faster than real time, the hub
			// would otherwise move its pre-roll window on before Record takes it.
			<-live
			for _, f := range frames[preload:] {
				hub.Publish(f)
			}
		}()
		var err error
		res, err = cut(context.Background(), hub, Request{Path: path, Trigger: t0.Add(4 * time.Second),
			Duration: 6 * time.Second}, func() { close(live) })
		<-fed
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Duration != 10*time.Second {
			b.Fatalf("got a %v clip, want 10s", res.Duration)
		}
		os.Remove(path)
		b.SetBytes(res.Bytes)
		b.StartTimer()
	}
	b.ReportMetric(float64(res.Frames), "frames")
}
