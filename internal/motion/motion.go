// Package motion detects motion in a stream's luma pictures: a pure, deterministic detector
// (luma plane and time in, Result out) with an adaptive background, a self-tuning per-pixel noise
// threshold, despeckling, connected blobs with a minimum area set by the sensitivity, regions and
// exclusions, immunity to sudden light changes and slow drifts, and the event state machine
// (MotionStart/MotionEnd transitions). It does no I/O, starts no goroutines, does not log and
// knows nothing of the event bus, the OSD or the motor: the caller feeds it frames from the
// raw-frame mailbox and turns its Results into events.
//
// How a frame is judged:
//
//  1. The luma plane is box-averaged by a power of two (1…16) to at most 320 pixels wide
//     (1280×720 → 320×180, 768×576 → 192×144), in 8.8 fixed point. All per-pixel work is integer
//     arithmetic (the cameras' MIPS cores have no FPU).
//  2. A global gain is estimated (mean of this frame over mean of the background, both over the
//     pixels that were not foreground last frame) and the background is scaled by it before
//     differencing, so auto exposure, dimming and sunrise are no difference at all. A pixel is
//     foreground when it differs from the scaled background by more than max(5, 4×dev+1) levels,
//     dev being its running mean absolute deviation (the noise level, learnt per pixel).
//  3. If the share of changed pixels over the whole frame, before or after the gain correction,
//     reaches LightChange (or the gain leaves ¼…4), the frame is Lighting: no motion, and the
//     background is replaced by the frame.
//  4. The background adapts with a time constant of 3 s where nothing changed and 60 s under
//     foreground; the noise level with 5 s. After NewDetector or Reset the first frame is taken
//     as the background and for 1 s the model adapts fast and reports no motion.
//  5. Foreground and pixels changed since the previous frame are despeckled by a 3×3 majority
//     inside the active area (regions minus exclusions) and labelled into 8-connected blobs. A
//     blob counts when its area reaches the sensitivity's minimum (MinBlobShare) and a quarter of
//     that area changed since the previous frame, so a stopped object or the ghost of one that
//     left is not motion even before the background has absorbed it.
//  6. A region has motion when the counting blobs' pixels inside it reach the minimum area and
//     less than MaxChanged of it changed. The region with the most such pixels is reported.
//  7. An event starts after MinFrames consecutive motion frames and ends after EventGap without.
//
// Rates are derived from the frame times, but the detector is tuned for 5–10 detection frames per
// second: much faster, an object moves too little between frames to count as moving; much
// slower, MinFrames spans a long time.
package motion

import (
	"fmt"
	"image"
	"time"
)

// Defaults for the zero values of Params.
const (
	DefaultMinFrames   = 2               // consecutive motion frames before an event starts
	DefaultEventGap    = 2 * time.Second // quiet time that ends an event
	DefaultLightChange = 0.5             // share of the whole frame changing at once = lighting
	DefaultMaxChanged  = 0.8             // share of one region changing at once = clouds/noise
)

// Params are the detector's settings (pure data, from motion.conf). Zero values take the
// documented defaults, except Sensitivity, whose zero is the firmware's level 0.
type Params struct {
	Width, Height int // input picture size (stream pixels); required
	// Sensitivity is the firmware's 0..4; higher = smaller blobs count. The minimum blob area is
	// a share of the detection picture (MinBlobShare): 0 → 2 %, 1 → 0.8 %, 2 → 0.3 %,
	// 3 → 0.1 %, 4 → 0.03 %. Values outside 0..4 are an error (-1 "off" is the caller's business:
	// it does not create a detector).
	Sensitivity int
	// Regions are rectangles in stream pixels; motion counts only inside them. Empty = the whole
	// frame; an empty rectangle in the list (the firmware's 0,0,0,0) also stands for the whole frame.
	Regions    []image.Rectangle
	Exclusions []image.Rectangle // stream pixels never looked at
	MinFrames  int               // consecutive motion frames before an event starts (default 2)
	EventGap   time.Duration     // quiet time that ends an event (default 2 s)
	// LightChange is the share of the whole frame that, changing at once, means lighting, not
	// motion (default 0.5). Such a frame is flagged Lighting and the background is relearnt at once.
	LightChange float64
	// MaxChanged is the share of one region that, changing at once, means clouds or sensor
	// trouble, not motion: that region reports no motion for the frame (default 0.8).
	MaxChanged float64
}

// MinBlobShare is the minimum blob area for a sensitivity level (0..4, clamped), as a share of
// the detection picture (the downscaled luma plane, at most 320 pixels wide).
func MinBlobShare(sensitivity int) float64 {
	shares := [5]float64{0.02, 0.008, 0.003, 0.001, 0.0003}
	return shares[min(max(sensitivity, 0), 4)]
}

// Transition is the event state machine's output for one frame.
type Transition int

// Transitions.
const (
	None  Transition = iota // nothing changed
	Start                   // an event starts with this frame
	End                     // the event ended with this frame
)

func (t Transition) String() string {
	switch t {
	case None:
		return "none"
	case Start:
		return "start"
	case End:
		return "end"
	}
	return fmt.Sprintf("Transition(%d)", int(t))
}

// Result is what the detector saw in one frame.
type Result struct {
	Motion   bool            // moving blob(s) above the sensitivity's area in a region this frame
	Region   int             // index into Params.Regions of the strongest motion, -1 when none (0 when Regions is empty and there is motion)
	Box      image.Rectangle // bounding box of the motion, stream pixels
	Score    float64         // changed share of the region(s), 0..1
	Lighting bool            // frame treated as a global light change (no motion)
	Event    Transition      // None, Start or End: the event state machine's output for this frame
	Active   bool            // an event is in progress after this frame (added)
}

// withDefaults fills zero values and validates.
func (p Params) withDefaults() (Params, error) {
	if p.Width <= 0 || p.Height <= 0 {
		return p, fmt.Errorf("motion: picture size %dx%d: width and height must be positive", p.Width, p.Height)
	}
	if p.Width > maxDetWidth*maxFactor {
		return p, fmt.Errorf("motion: picture width %d: at most %d supported", p.Width, maxDetWidth*maxFactor)
	}
	if p.Sensitivity < 0 || p.Sensitivity > 4 {
		return p, fmt.Errorf("motion: sensitivity %d: want 0..4", p.Sensitivity)
	}
	if p.MinFrames <= 0 {
		p.MinFrames = DefaultMinFrames
	}
	if p.EventGap <= 0 {
		p.EventGap = DefaultEventGap
	}
	if p.LightChange <= 0 {
		p.LightChange = DefaultLightChange
	}
	if p.MaxChanged <= 0 {
		p.MaxChanged = DefaultMaxChanged
	}
	if p.LightChange > 1 || p.MaxChanged > 1 {
		return p, fmt.Errorf("motion: light change %g, max changed %g: shares must be in 0..1", p.LightChange, p.MaxChanged)
	}
	frame := image.Rect(0, 0, p.Width, p.Height)
	for i, r := range p.Regions {
		if r.Empty() {
			continue
		}
		if !r.Canon().Overlaps(frame) {
			return p, fmt.Errorf("motion: region %d %v: outside the %dx%d picture", i, r, p.Width, p.Height)
		}
	}
	return p, nil
}
