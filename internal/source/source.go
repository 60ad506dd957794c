// Package source defines where pictures come from. A Source either yields raw I420 frames, which
// freecam then draws the OSD on and encodes, or already-encoded H.264 from a hardware encoder, a
// UVC H.264 webcam or rpicam-vid, which goes to the stream hub as it is.
//
// Implementations live in one subpackage each (synthetic, y4m, exec, v4l2) and import this one for
// the Sink contract; the choice of implementation from a spec string is made by internal/app.
package source

import (
	"context"

	"github.com/freecam/freecam/internal/media"
)

// Source produces video until its context ends or it fails.
//
// Run blocks. It returns nil only when ctx is done, and an error otherwise (the supervisor in
// internal/app restarts it with backoff). Run may be called again after it returned.
type Source interface {
	// Format is what the source will deliver as far as it is known before Run: a synthetic source
	// knows everything, a y4m or exec source may know only what its configuration says (zero
	// fields are unknown). Frames themselves always carry their real size.
	Format() media.VideoFormat
	Run(ctx context.Context, sink Sink) error
}

// Sink receives what a Source produces. Both methods are called from the source's own goroutine
// only, must not block for long (the pipeline behind them uses one-slot mailboxes), and take
// ownership of the frame: the source must not touch it afterwards.
type Sink interface {
	// WriteRaw hands over one I420 picture. Its Time and PTS must be set; ID is set by the sink.
	WriteRaw(f *media.RawFrame)
	// WriteEncoded hands over one complete access unit (every NAL unit of one picture, without
	// start codes). Codec, PTS, Time and Key must be set.
	WriteEncoded(f *media.Frame)
}
