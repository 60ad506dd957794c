// Package v4l2 is the source for Linux video devices (/dev/videoN: UVC webcams, camera drivers)
// in pure Go: mmap streaming I/O, YUYV and MJPEG converted to I420, H.264 relayed as access
// units. On other systems Run reports that V4L2 is Linux only.
package v4l2

import (
	"log/slog"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
)

var _ source.Source = (*Source)(nil)

// Pixel formats the source can ask for.
const (
	FormatYUYV  = "YUYV"
	FormatMJPEG = "MJPEG"
	FormatH264  = "H264"
)

// Options configures a device. The zero value asks for 1280×720 YUYV at 25 fps; the driver may
// pick the nearest it supports, and frames carry their real size.
type Options struct {
	Width, Height  int    // default 1280×720
	FPSNum, FPSDen int    // default 25/1
	PixelFormat    string // FormatYUYV (default), FormatMJPEG or FormatH264
	Buffers        int    // mmap buffers; default 4
}

// Source captures from one V4L2 device.
type Source struct {
	device string
	opts   Options
	log    *slog.Logger
}

// New returns a source for device (such as /dev/video0). It opens nothing. log may be nil.
func New(device string, opts Options, log *slog.Logger) *Source {
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 1280, 720
	}
	if opts.FPSNum <= 0 || opts.FPSDen <= 0 {
		opts.FPSNum, opts.FPSDen = 25, 1
	}
	if opts.PixelFormat == "" {
		opts.PixelFormat = FormatYUYV
	}
	if opts.Buffers <= 0 {
		opts.Buffers = 4
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{device: device, opts: opts, log: log.With("component", "source/v4l2", "device", device)}
}

// Format is what was asked for; the driver may deliver something near it.
func (s *Source) Format() media.VideoFormat {
	v := media.VideoFormat{Width: s.opts.Width, Height: s.opts.Height, FPSNum: s.opts.FPSNum, FPSDen: s.opts.FPSDen}
	if s.opts.PixelFormat == FormatH264 {
		v.Encoded = media.CodecH264
	}
	return v
}
