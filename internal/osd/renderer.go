package osd

import (
	"bytes"
	"image/color"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// Renderer draws the OSD into raw frames. Draw must be called from one goroutine at a time (the
// encoder's); SetOptions may be called from any goroutine at any time.
type Renderer struct {
	cfg  atomic.Pointer[config]
	font *bitmapFont
	// marker is the motion marker: on bit and colour, see marker.go.
	marker atomic.Uint64
	// textArea is where the last text was drawn, for Areas; replaced only when the text changes.
	// Packed as four uint16 (pictures are smaller than 65536 pixels) so Draw never allocates.
	textArea atomic.Uint64

	// Owned by the goroutine calling Draw.
	scratch []byte  // text of the current frame
	cache   overlay // rendered text, valid for cache.cfg, cache.w×h and cache.text
}

// maxPixels bounds Space and PosY: larger values mean nothing on any real frame.
const maxPixels = 1 << 16

// config is an immutable, normalised Options with everything derived from it that does not depend
// on the frame: a new config replaces the old one as a whole.
type config struct {
	opts   Options
	layout *Strftime
	loc    *time.Location
	size   int
	// Luma and chroma of the text and of its outline, and the opacity 0–255.
	textY, textCb, textCr uint8
	lineY                 uint8
	alpha                 uint8
}

// New returns a Renderer for opts. It converts the built-in font once; it starts nothing.
func New(opts Options) *Renderer {
	r := &Renderer{font: newBitmapFont()}
	r.SetOptions(opts)
	return r
}

// SetOptions replaces the options; the next Draw uses them. Safe from any goroutine.
func (r *Renderer) SetOptions(opts Options) {
	r.cfg.Store(newConfig(opts))
}

// Options returns the options in use, with defaults filled in.
func (r *Renderer) Options() Options {
	return r.cfg.Load().opts
}

func newConfig(opts Options) *config {
	if opts.Pattern == "" {
		opts.Pattern = DefaultPattern
	}
	if opts.Size <= 0 {
		opts.Size = DefaultSize
	}
	// Bound the pixel values so layout arithmetic cannot overflow, even with 32-bit ints.
	opts.Space = max(-maxPixels, min(opts.Space, maxPixels))
	opts.PosY = max(-maxPixels, min(opts.PosY, maxPixels))
	if opts.Location == nil {
		opts.Location = time.Local
	}
	c := &config{
		opts:   opts,
		layout: CompileStrftime(opts.Pattern),
		loc:    opts.Location,
		size:   opts.Size,
	}
	red, green, blue, a := opts.Color.RGBA()
	c.textY, c.textCb, c.textCr = color.RGBToYCbCr(red, green, blue)
	c.alpha = a
	// A dark outline for light text, a light one for dark text: either way the text stands out
	// against any background.
	c.lineY = 16
	if c.textY < 128 {
		c.lineY = 235
	}
	return c
}

// Draw renders the OSD text for f.Time into f. Frames whose planes are shorter than their
// dimensions say are left alone. With the same text, options and frame size as the previous
// call, Draw only copies the cached pixels and does not allocate.
func (r *Renderer) Draw(f *media.RawFrame) {
	r.drawMarker(f)
	c := r.cfg.Load()
	if f == nil || !c.opts.Enabled {
		r.textArea.Store(0)
		return
	}
	w, h := f.Width, f.Height
	cSize := (w / 2) * (h / 2)
	if w <= 0 || h <= 0 || len(f.Y) < w*h || len(f.Cb) < cSize || len(f.Cr) < cSize {
		return
	}
	r.scratch = c.layout.Append(r.scratch[:0], f.Time.In(c.loc))
	if c.opts.AxisText != nil {
		if axis := c.opts.AxisText(); axis != "" {
			r.scratch = append(r.scratch, ' ')
			r.scratch = append(r.scratch, axis...)
		}
	}
	o := &r.cache
	if o.cfg != c || o.w != w || o.h != h || !bytes.Equal(o.text, r.scratch) {
		// Keep the new text and recycle the old buffer for the next frame.
		o.text, r.scratch = r.scratch, o.text
		o.render(r.font, c, w, h)
		r.textArea.Store(packRect(o.box))
	}
	o.blit(f)
}
