// Package synthetic is freecam's default camera: a deterministic scene rendered in software, with
// sensor-like noise, a clock that changes every frame, a bright object that moves on a known
// script (so motion detection can be tested against known intervals) and a night look. It needs no
// hardware and must never be slow enough to hold up the pipeline.
package synthetic

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
)

var _ source.Source = (*Source)(nil)

// Options configures a synthetic source. The zero value is a 1280×720, 25 fps scene.
type Options struct {
	Width, Height  int              // default 1280×720; odd values are rounded down to even, minimum 64×64
	FPSNum, FPSDen int              // default 25/1
	Seed           uint64           // picks the background noise; the same seed gives the same pictures
	Clock          func() time.Time // wall clock for RawFrame.Time; default time.Now
}

// Source renders the synthetic scene. Format, ObjectAt and SetNight are safe from any goroutine;
// Run and Render are called from one goroutine at a time.
type Source struct {
	opts  Options
	night atomic.Bool
	light atomic.Int32 // ambient light level; 0 means not set (full daylight)
	lut   lightTable   // Render's cache for the light level

	dayOnce   sync.Once
	nightOnce sync.Once
	tables    tables
}

// New returns a synthetic source. It starts nothing and does not render until Run or Render.
func New(opts Options) *Source {
	if opts.Width <= 0 {
		opts.Width = 1280
	}
	if opts.Height <= 0 {
		opts.Height = 720
	}
	opts.Width = max(opts.Width&^1, 64)
	opts.Height = max(opts.Height&^1, 64)
	if opts.FPSNum <= 0 || opts.FPSDen <= 0 {
		opts.FPSNum, opts.FPSDen = 25, 1
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Source{opts: opts}
}

// Format is the scene's size and rate; the source delivers raw frames.
func (s *Source) Format() media.VideoFormat {
	return media.VideoFormat{Width: s.opts.Width, Height: s.opts.Height, FPSNum: s.opts.FPSNum, FPSDen: s.opts.FPSDen}
}

// SetNight switches the night look (grey, darker, noisier, as under IR light) on or off from the
// next frame. Safe from any goroutine.
func (s *Source) SetNight(on bool) { s.night.Store(on) }

// Night reports whether the night look is on.
func (s *Source) Night() bool { return s.night.Load() }

// PTS is the presentation time of frame n: exactly n frame intervals.
func (s *Source) PTS(n int64) time.Duration {
	return time.Duration(n * int64(time.Second) * int64(s.opts.FPSDen) / int64(s.opts.FPSNum))
}

// Run emits one frame per frame interval, paced by a ticker, until ctx is done; it then returns
// nil. Frame n (counted from 0 in each Run) has PTS n intervals and Time from Options.Clock.
//
// Every frame is freshly allocated: the sink owns it and may hold it for as long as it likes
// (snapshot cache, encoder queue), and the Sink contract has no way to hand it back, so a pool
// could not know when a buffer is free again. Rendering itself allocates nothing.
func (s *Source) Run(ctx context.Context, sink source.Sink) error {
	tick := time.NewTicker(s.Format().FrameInterval())
	defer tick.Stop()
	for n := int64(0); ; n++ {
		if ctx.Err() != nil {
			return nil
		}
		f := s.newFrame()
		s.Render(f, n)
		f.PTS = s.PTS(n)
		f.Time = s.opts.Clock()
		sink.WriteRaw(f)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// newFrame allocates an I420 frame without initialising it (Render writes every byte).
func (s *Source) newFrame() *media.RawFrame {
	w, h := s.opts.Width, s.opts.Height
	ySize, cSize := w*h, (w/2)*(h/2)
	buf := make([]byte, ySize+2*cSize)
	return &media.RawFrame{
		Width: w, Height: h,
		Y:  buf[:ySize:ySize],
		Cb: buf[ySize : ySize+cSize : ySize+cSize],
		Cr: buf[ySize+cSize:],
	}
}
