package y4m

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
)

var _ source.Source = (*Source)(nil)

// Options configures a file source. The zero value plays the file at its own rate.
type Options struct {
	FPSNum, FPSDen int // override the file's frame rate; 0 uses the file's F tag, or 25/1 without one
}

// Source plays a YUV4MPEG2 file in a loop, paced at its frame rate. PTS counts frames from the
// start of Run and keeps growing across loops; Time is the wall clock.
type Source struct {
	path string
	opts Options
}

// New returns a source for the file at path. It opens nothing until Format or Run.
func New(path string, opts Options) *Source {
	return &Source{path: path, opts: opts}
}

// Format reads the file's header; if that fails it returns only the configured rate (Run will
// report the error).
func (s *Source) Format() media.VideoFormat {
	var v media.VideoFormat
	if f, err := os.Open(s.path); err == nil {
		if r, err := newReader(f); err == nil {
			v = r.Format()
		}
		f.Close()
	}
	v.FPSNum, v.FPSDen = s.rate(v)
	return v
}

func (s *Source) rate(v media.VideoFormat) (num, den int) {
	switch {
	case s.opts.FPSNum > 0 && s.opts.FPSDen > 0:
		return s.opts.FPSNum, s.opts.FPSDen
	case v.FPSNum > 0 && v.FPSDen > 0:
		return v.FPSNum, v.FPSDen
	}
	return 25, 1
}

// Run plays the file until ctx is done (then it returns nil) or the file cannot be read.
func (s *Source) Run(ctx context.Context, sink source.Sink) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("y4m: %w", err)
	}
	defer f.Close()
	r, err := newReader(f)
	if err != nil {
		return fmt.Errorf("y4m: %s: %w", s.path, err)
	}
	num, den := s.rate(r.Format())
	interval := time.Duration(int64(time.Second) * int64(den) / int64(num))
	tick := time.NewTicker(interval)
	defer tick.Stop()

	framesThisLoop := 0
	for n := int64(0); ; {
		if ctx.Err() != nil {
			return nil
		}
		frame := &media.RawFrame{}
		err := r.readFrame(frame)
		if errors.Is(err, io.EOF) {
			if framesThisLoop == 0 {
				return fmt.Errorf("y4m: %s: no frames", s.path)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("y4m: %s: rewind: %w", s.path, err)
			}
			if r, err = newReader(f); err != nil {
				return fmt.Errorf("y4m: %s: %w", s.path, err)
			}
			framesThisLoop = 0
			continue
		}
		if err != nil {
			return fmt.Errorf("y4m: %s: frame %d: %w", s.path, framesThisLoop, err)
		}
		framesThisLoop++
		frame.PTS = time.Duration(n * int64(time.Second) * int64(den) / int64(num))
		frame.Time = time.Now()
		n++
		sink.WriteRaw(frame)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
