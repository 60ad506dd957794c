package osd

import (
	"image/color"

	"github.com/freecam/freecam/internal/media"
)

// The motion marker: the firmware showed a circle in motion_indicator_color while motion lasted.
// freecam draws a filled disc in the top-right corner, its diameter about 2.5 % of the frame
// height (18 pixels at 720p), one radius away from the edges. It is drawn whether or not the
// OSD text is enabled.

// markerOn is the bit of Renderer.marker that says the marker shows; the low 32 bits hold the
// Color.
const markerOn = 1 << 32

// SetMarker shows (on) or hides the motion marker in color c (a palette index 0–7 or
// 0xRRGGBBAA, as Options.Color); the next Draw uses it. Safe from any goroutine.
func (r *Renderer) SetMarker(on bool, c Color) {
	if !on {
		r.marker.Store(0)
		return
	}
	r.marker.Store(markerOn | uint64(c))
}

// Marker reports whether the marker shows and in which colour.
func (r *Renderer) Marker() (on bool, c Color) {
	m := r.marker.Load()
	return m&markerOn != 0, Color(uint32(m))
}

// drawMarker draws the marker into f while it is on. It does not allocate.
func (r *Renderer) drawMarker(f *media.RawFrame) {
	on, c := r.Marker()
	if !on || f == nil {
		return
	}
	w, h := f.Width, f.Height
	cw, ch := w/2, h/2
	if w <= 0 || h <= 0 || len(f.Y) < w*h || len(f.Cb) < cw*ch || len(f.Cr) < cw*ch {
		return
	}
	red, green, blue, a := c.RGBA()
	if a == 0 {
		return
	}
	y, cb, cr := color.RGBToYCbCr(red, green, blue)
	radius := max(float64(h)*0.0125, 2)
	cx, cy := float64(w)-2*radius, 2*radius
	fillDisc(f.Y, w, h, cx, cy, radius, y, a)
	fillDisc(f.Cb, cw, ch, cx/2, cy/2, radius/2, cb, a)
	fillDisc(f.Cr, cw, ch, cx/2, cy/2, radius/2, cr, a)
}

// fillDisc blends v with opacity a (1–255) into the pixels of plane (w×h, stride w) whose
// centres lie within radius of (cx, cy).
func fillDisc(plane []byte, w, h int, cx, cy, radius float64, v, a uint8) {
	r2 := radius * radius
	y0, y1 := max(int(cy-radius), 0), min(int(cy+radius)+1, h)
	x0, x1 := max(int(cx-radius), 0), min(int(cx+radius)+1, w)
	av := uint32(v) * uint32(a)
	na := 255 - uint32(a)
	for y := y0; y < y1; y++ {
		dy := float64(y) + 0.5 - cy
		row := plane[y*w : y*w+w]
		for x := x0; x < x1; x++ {
			dx := float64(x) + 0.5 - cx
			if dx*dx+dy*dy > r2 {
				continue
			}
			row[x] = uint8((uint32(row[x])*na + av + 127) / 255)
		}
	}
}
