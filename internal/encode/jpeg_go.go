//go:build !cgo || noturbojpeg

package encode

import (
	"image"
	"image/jpeg"

	"github.com/freecam/freecam/internal/media"
)

// JPEGEncoder compresses I420 pictures into baseline 4:2:0 JPEG images. This build (no cgo, or
// the noturbojpeg tag) uses Go's image/jpeg, about 11× slower than libjpeg-turbo (≈ 11 ms for
// 1280×720 at quality 80 on a desktop core).
//
// A JPEGEncoder is not goroutine-safe: use one per goroutine. Close is a no-op here but must still
// be called, as the cgo build holds C memory.
type JPEGEncoder struct {
	img  image.YCbCr // wraps the frame's planes without copying
	w    appendWriter
	opts jpeg.Options
}

// NewJPEG returns an encoder.
func NewJPEG() *JPEGEncoder { return &JPEGEncoder{} }

// Encode compresses f at quality (1..100; 0 means DefaultJPEGQuality, others are clamped) and
// returns dst with the JPEG appended. f is only read.
func (e *JPEGEncoder) Encode(dst []byte, f *media.RawFrame, quality int) ([]byte, error) {
	if err := checkJPEGFrame(f); err != nil {
		return dst, err
	}
	w, h := f.Width, f.Height
	e.img = image.YCbCr{
		Y: f.Y[:w*h], Cb: f.Cb[:(w/2)*(h/2)], Cr: f.Cr[:(w/2)*(h/2)],
		YStride: w, CStride: w / 2,
		SubsampleRatio: image.YCbCrSubsampleRatio420,
		Rect:           image.Rect(0, 0, w, h),
	}
	e.w.b = dst
	e.opts.Quality = jpegQuality(quality)
	err := jpeg.Encode(&e.w, &e.img, &e.opts)
	out := e.w.b
	e.w.b = nil
	e.img = image.YCbCr{} // drop the references to f's planes
	if err != nil {
		return dst, err
	}
	return out, nil
}

// Close releases nothing in this build.
func (e *JPEGEncoder) Close() error { return nil }

// JPEGBackend names the JPEG implementation compiled in ("turbojpeg" or "image/jpeg").
const JPEGBackend = "image/jpeg"

// appendWriter appends to a byte slice. It has Flush and WriteByte so image/jpeg uses it directly
// instead of wrapping it in a new bufio.Writer on every call.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) { a.b = append(a.b, p...); return len(p), nil }
func (a *appendWriter) WriteByte(c byte) error      { a.b = append(a.b, c); return nil }
func (a *appendWriter) Flush() error                { return nil }
