package osd

import (
	"image"
	"unicode/utf8"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Metrics of the built-in font (basicfont.Face7x13).
const (
	glyphW      = 6  // inked cell width
	glyphH      = 13 // cell height (ascent 11 + descent 2)
	glyphAdv    = 7  // fixed advance
	spaceAdv    = 4  // advance of a blank glyph in proportional mode
	firstGlyph  = 0x20
	lastGlyph   = 0x7e
	glyphCount  = lastGlyph - firstGlyph + 2 // ASCII plus the replacement glyph
	replacement = glyphCount - 1
)

// bitmapFont is a compact 1-bit copy of the built-in font: one byte per glyph row, bit x set
// when column x is inked, plus the inked column range of each glyph for proportional spacing.
type bitmapFont struct {
	rows [glyphCount][glyphH]uint8
	left [glyphCount]uint8 // first inked column
	ink  [glyphCount]uint8 // inked columns from left; 0 for a blank glyph
}

// newBitmapFont converts basicfont.Face7x13 into a bitmapFont.
func newBitmapFont() *bitmapFont {
	face := basicfont.Face7x13
	f := &bitmapFont{}
	for i := range glyphCount {
		r := rune(firstGlyph + i)
		if i == replacement {
			r = utf8.RuneError
		}
		dr, mask, mp, _, ok := face.Glyph(fixed.P(0, face.Ascent), r)
		if !ok || mask == nil {
			continue
		}
		minX, maxX := glyphW, -1
		for y := 0; y < glyphH && y < dr.Dy(); y++ {
			for x := 0; x < glyphW && x < dr.Dx(); x++ {
				if !inked(mask, mp.Add(image.Pt(x, y))) {
					continue
				}
				f.rows[i][y] |= 1 << x
				minX, maxX = min(minX, x), max(maxX, x)
			}
		}
		if maxX >= 0 {
			f.left[i] = uint8(minX)
			f.ink[i] = uint8(maxX - minX + 1)
		}
	}
	return f
}

func inked(m image.Image, p image.Point) bool {
	_, _, _, a := m.At(p.X, p.Y).RGBA()
	return a >= 0x8000
}

// index returns the glyph of r: itself for printable ASCII, the replacement glyph otherwise.
func (f *bitmapFont) index(r rune) int {
	if r >= firstGlyph && r <= lastGlyph {
		return int(r - firstGlyph)
	}
	return replacement
}

// advance is how far the pen moves after glyph g (in font pixels), and offset the column of the
// glyph cell drawn at the pen position.
func (f *bitmapFont) advance(g int, fixedWidth bool) (adv, offset int) {
	if fixedWidth {
		return glyphAdv, 0
	}
	if f.ink[g] == 0 {
		return spaceAdv, 0
	}
	return int(f.ink[g]) + 2, int(f.left[g])
}
