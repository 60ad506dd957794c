package encode

import (
	"fmt"

	"github.com/freecam/freecam/internal/media"
)

// DefaultJPEGQuality is the quality used when a caller passes 0 (freecam.conf SNAPSHOT_QUALITY's
// default).
const DefaultJPEGQuality = 80

// jpegQuality maps a caller's quality to 1..100; 0 means DefaultJPEGQuality.
func jpegQuality(q int) int {
	switch {
	case q == 0:
		return DefaultJPEGQuality
	case q < 1:
		return 1
	case q > 100:
		return 100
	}
	return q
}

// checkJPEGFrame reports whether f is a well-formed I420 picture the JPEG encoders can read.
func checkJPEGFrame(f *media.RawFrame) error {
	if f == nil {
		return fmt.Errorf("jpeg: nil frame")
	}
	w, h := f.Width, f.Height
	if w <= 0 || h <= 0 || w%2 != 0 || h%2 != 0 {
		return fmt.Errorf("jpeg: frame size %dx%d: width and height must be positive and even", w, h)
	}
	if len(f.Y) < w*h || len(f.Cb) < (w/2)*(h/2) || len(f.Cr) < (w/2)*(h/2) {
		return fmt.Errorf("jpeg: frame %dx%d: planes too short (Y %d, Cb %d, Cr %d bytes)", w, h, len(f.Y), len(f.Cb), len(f.Cr))
	}
	return nil
}
