package night

import (
	"context"
	"errors"

	"github.com/freecam/freecam/internal/media"
)

// ErrNoPicture is Virtual's error before the first picture.
var ErrNoPicture = errors.New("night: no picture yet")

// Frames gives the latest raw picture, or nil before the first; snapshot.Mailbox has it.
type Frames interface {
	Latest() *media.RawFrame
}

// DefaultStep is Virtual's default subsampling: every 8th pixel of every 8th row.
const DefaultStep = 8

// Virtual is the light sensor made from the picture: the mean luma (0–255) of the latest frame,
// on a subsample so a 720p picture costs about 14 000 byte reads. It reads frames, never writes
// them, and allocates nothing. Safe for concurrent use if Frames is.
//
// A camera's auto exposure pulls the mean luma towards mid-grey by day, so the level only drops
// once the exposure is at its limit (dusk); thresholds are therefore low (see conf.AutoNight).
type Virtual struct {
	Frames Frames
	Step   int // subsampling step in pixels and rows; default DefaultStep
}

// Light returns the mean luma of the latest frame.
func (v *Virtual) Light(context.Context) (int, error) {
	f := v.Frames.Latest()
	if f == nil {
		return 0, ErrNoPicture
	}
	return Luma(f, v.Step), nil
}

// Luma is the mean of every step-th luma sample of every step-th row of f, rounded to the
// nearest integer (0 for an empty frame). step <= 0 means DefaultStep.
func Luma(f *media.RawFrame, step int) int {
	if step <= 0 {
		step = DefaultStep
	}
	w, h := f.Width, f.Height
	if w <= 0 || h <= 0 || len(f.Y) < w*h {
		return 0
	}
	var sum, n uint64
	x0, y0 := min(step/2, w/2), min(step/2, h/2) // a step larger than the picture: its centre
	for y := y0; y < h; y += step {
		row := f.Y[y*w : y*w+w]
		for x := x0; x < len(row); x += step {
			sum += uint64(row[x])
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return int((sum + n/2) / n)
}
