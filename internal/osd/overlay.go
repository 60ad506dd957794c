package osd

import (
	"image"
	"unicode/utf8"
)

// Pixel kinds of a rendered overlay.
const (
	kindNone    = 0
	kindOutline = 1
	kindText    = 2
	kinds       = 3
)

// span is a horizontal run of covered pixels: n bytes at off in a plane take the values at src
// in the overlay's value buffers.
type span struct {
	off, n, src int
}

// overlay is the rendered OSD for one text, config and frame size: the pixels it covers as
// spans on the luma plane and on the 2×2-subsampled chroma planes, and the bytes to put there.
// Buffers are reused between renders.
type overlay struct {
	cfg  *config
	w, h int
	text []byte

	box    image.Rectangle // the visible box in the frame
	mask   []uint8         // kind of each pixel of the visible box, row-major
	grown  []uint8         // scratch for the outline
	ySpans []span
	cSpans []span

	alpha              uint8
	yVal, cbVal, crVal [kinds]uint8
	yPix, cbPix, crPix []byte // the values of the spans' pixels, concatenated
}

// scaleFor maps a font size to the whole-number enlargement of the 13-pixel font on a frame
// of height h: round(size × h / (12 × 720)), at least 1, at most what fits the frame.
func scaleFor(size, h int) int {
	size = min(size, 1<<12)
	s := (2*size*h + 12*720) / (2 * 12 * 720)
	return max(1, min(s, h/glyphH))
}

// outlineFor is the outline width in pixels for a scale: 1 up to scale 3, then scale/2, at most 3.
func outlineFor(scale int) int {
	return max(1, min(3, scale/2))
}

// render lays the text out for a w×h frame and rebuilds the spans.
func (o *overlay) render(font *bitmapFont, c *config, w, h int) {
	o.cfg, o.w, o.h = c, w, h
	o.ySpans, o.cSpans = o.ySpans[:0], o.cSpans[:0]
	o.yPix, o.cbPix, o.crPix = o.yPix[:0], o.cbPix[:0], o.crPix[:0]
	o.alpha = c.alpha
	o.yVal = [kinds]uint8{0, c.lineY, c.textY}
	o.cbVal = [kinds]uint8{0, 128, c.textCb}
	o.crVal = [kinds]uint8{0, 128, c.textCr}
	if o.alpha == 0 {
		return
	}

	s := scaleFor(c.size, h)
	ow := outlineFor(s)
	cellH := glyphH * s
	lineStep := cellH + 2*ow

	// Measure.
	lines, lineW, boxW := 1, 0, 0
	for i := 0; i < len(o.text); {
		r, n := utf8.DecodeRune(o.text[i:])
		i += n
		if r == '\n' {
			lines++
			lineW = 0
			continue
		}
		lineW += o.step(font, r, s)
		boxW = max(boxW, lineW)
	}
	boxW += 2 * ow
	boxH := (lines-1)*lineStep + cellH + 2*ow

	// Place: left margin, vertical position from PosY, pushed back inside the frame.
	margin := h / 60
	x0 := margin
	if x0+boxW > w {
		x0 = max(0, w-boxW)
	}
	var y0 int
	switch p := c.opts.PosY; {
	case p == 0:
		y0 = margin
	case p > 0:
		y0 = p
	default:
		y0 = h + p - boxH
	}
	y0 = max(0, min(y0, h-boxH))
	cw, ch := min(boxW, w-x0), min(boxH, h-y0)
	if cw <= 0 || ch <= 0 {
		o.box = image.Rectangle{}
		return
	}
	o.box = image.Rect(x0, y0, x0+cw, y0+ch)

	o.mask = resize(o.mask, cw*ch)
	clear(o.mask)
	o.drawGlyphs(font, s, ow, lineStep, cw, ch)
	o.outline(ow, cw, ch)
	o.buildSpans(x0, y0, cw, ch)
}

// step is the pen advance of r in frame pixels, letter spacing included.
func (o *overlay) step(font *bitmapFont, r rune, s int) int {
	adv, _ := font.advance(font.index(r), o.cfg.opts.FixedWidth)
	return max(1, adv*s+o.cfg.opts.Space)
}

// drawGlyphs marks the text pixels in the cw×ch mask.
func (o *overlay) drawGlyphs(font *bitmapFont, s, ow, lineStep, cw, ch int) {
	penX, top := ow, ow
	for i := 0; i < len(o.text); {
		r, n := utf8.DecodeRune(o.text[i:])
		i += n
		if r == '\n' {
			penX, top = ow, top+lineStep
			continue
		}
		if penX >= cw || top >= ch {
			continue
		}
		g := font.index(r)
		_, offset := font.advance(g, o.cfg.opts.FixedWidth)
		cellX := penX - offset*s
		for gy, bits := range font.rows[g] {
			if bits == 0 {
				continue
			}
			y1, y2 := top+gy*s, min(top+(gy+1)*s, ch)
			for gx := 0; gx < glyphW; gx++ {
				if bits&(1<<gx) == 0 {
					continue
				}
				x1, x2 := max(0, cellX+gx*s), min(cellX+(gx+1)*s, cw)
				for y := y1; y < y2; y++ {
					row := o.mask[y*cw : y*cw+cw]
					for x := x1; x < x2; x++ {
						row[x] = kindText
					}
				}
			}
		}
		penX += o.step(font, r, s)
	}
}

// outline marks every empty pixel within ow pixels (square neighbourhood) of text as outline.
// The square dilation is done as a horizontal then a vertical pass.
func (o *overlay) outline(ow, cw, ch int) {
	o.grown = resize(o.grown, cw*ch)
	for y := range ch {
		row, out := o.mask[y*cw:y*cw+cw], o.grown[y*cw:y*cw+cw]
		for x := range cw {
			var v uint8
			for xx := max(0, x-ow); xx <= min(cw-1, x+ow); xx++ {
				if row[xx] == kindText {
					v = 1
					break
				}
			}
			out[x] = v
		}
	}
	for y := range ch {
		for x := range cw {
			i := y*cw + x
			if o.mask[i] != kindNone {
				continue
			}
			for yy := max(0, y-ow); yy <= min(ch-1, y+ow); yy++ {
				if o.grown[yy*cw+x] != 0 {
					o.mask[i] = kindOutline
					break
				}
			}
		}
	}
}

// buildSpans turns the cw×ch mask placed at (x0, y0) into luma and chroma spans: one span per
// run of covered pixels, whatever their kind, so a line of text costs about one copy per row.
func (o *overlay) buildSpans(x0, y0, cw, ch int) {
	for y := range ch {
		row := o.mask[y*cw : y*cw+cw]
		base := (y0+y)*o.w + x0
		for x := 0; x < cw; {
			if row[x] == kindNone {
				x++
				continue
			}
			start := x
			src := len(o.yPix)
			for ; x < cw && row[x] != kindNone; x++ {
				o.yPix = append(o.yPix, o.yVal[row[x]])
			}
			o.ySpans = append(o.ySpans, span{off: base + start, n: x - start, src: src})
		}
	}
	// A chroma sample covers 2×2 luma pixels; it takes the strongest kind among them, so text
	// colour wins over the neutral outline.
	cw2, ch2 := o.w/2, o.h/2
	cx1, cx2 := x0/2, min((x0+cw-1)/2+1, cw2)
	cy1, cy2 := y0/2, min((y0+ch-1)/2+1, ch2)
	for cy := cy1; cy < cy2; cy++ {
		base := cy * cw2
		for cx := cx1; cx < cx2; {
			k := o.chromaKind(cx, cy, x0, y0, cw, ch)
			if k == kindNone {
				cx++
				continue
			}
			start, src := cx, len(o.cbPix)
			for ; cx < cx2 && k != kindNone; cx++ {
				o.cbPix = append(o.cbPix, o.cbVal[k])
				o.crPix = append(o.crPix, o.crVal[k])
				if cx+1 < cx2 {
					k = o.chromaKind(cx+1, cy, x0, y0, cw, ch)
				}
			}
			o.cSpans = append(o.cSpans, span{off: base + start, n: cx - start, src: src})
		}
	}
}

// chromaKind is the strongest kind of the luma pixels under chroma sample (cx, cy).
func (o *overlay) chromaKind(cx, cy, x0, y0, cw, ch int) uint8 {
	var k uint8
	for dy := range 2 {
		y := 2*cy + dy - y0
		if y < 0 || y >= ch {
			continue
		}
		for dx := range 2 {
			x := 2*cx + dx - x0
			if x < 0 || x >= cw {
				continue
			}
			k = max(k, o.mask[y*cw+x])
		}
	}
	return k
}

func resize(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	return b[:n]
}
