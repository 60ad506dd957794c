// Package encode turns raw I420 pictures into H.264 access units (x264, cgo) and JPEG images
// (libjpeg-turbo with cgo, Go's image/jpeg without). A pure-Go build (CGO_ENABLED=0) has no H.264
// encoder: New then returns ErrNoH264Encoder and freecam accepts only sources that deliver H.264.
package encode

import (
	"errors"

	"github.com/freecam/freecam/internal/media"
)

// ErrNoH264Encoder is returned by NewH264 in a build without cgo.
var ErrNoH264Encoder = errors.New("this freecam was built without cgo and has no software H.264 encoder; use a source that delivers H.264 (exec:… with a hardware encoder, or v4l2 in H.264 mode)")

// RateControl is rtspserver.conf's VIDEOFORMAT.
type RateControl int

// The firmware's VIDEOFORMAT values.
const (
	RateFixedQP RateControl = 0
	RateCBR     RateControl = 1
	RateVBR     RateControl = 2
	RateSmart   RateControl = 3
)

// H264Options configures an H.264 encoder. The zero value is not usable: Width, Height and the
// frame rate are required.
type H264Options struct {
	Width, Height  int
	FPSNum, FPSDen int
	BitrateKbps    int         // BITRATE; 0 means 2000
	RateControl    RateControl // VIDEOFORMAT; default VBR
	GOPFrames      int         // frames between IDRs; 0 means 2 s worth
}

// H264Encoder encodes pictures one by one with zero latency: every Encode that succeeds emits the
// access unit for that very picture.
//
// Encode and Close are called from one goroutine; RequestKeyframe is safe from any goroutine.
type H264Encoder interface {
	// Encode compresses raw and calls emit with the resulting access unit (Codec, PTS, Time, Key
	// and NALUs set; SPS and PPS precede every IDR). The emitted frame is owned by the receiver.
	Encode(raw *media.RawFrame, emit func(*media.Frame)) error
	// RequestKeyframe makes the next encoded picture an IDR.
	RequestKeyframe()
	Close() error
}
