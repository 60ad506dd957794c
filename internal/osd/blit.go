package osd

import "github.com/freecam/freecam/internal/media"

// blit writes the overlay into f, which has the dimensions the overlay was rendered for and
// planes at least that long (Draw checks both).
func (o *overlay) blit(f *media.RawFrame) {
	if o.alpha == 255 {
		for _, s := range o.ySpans {
			put(f.Y[s.off:s.off+s.n], o.yPix[s.src:])
		}
		for _, s := range o.cSpans {
			put(f.Cb[s.off:s.off+s.n], o.cbPix[s.src:])
			put(f.Cr[s.off:s.off+s.n], o.crPix[s.src:])
		}
		return
	}
	a := uint32(o.alpha)
	for _, s := range o.ySpans {
		blend(f.Y[s.off:s.off+s.n], o.yPix[s.src:], a)
	}
	for _, s := range o.cSpans {
		blend(f.Cb[s.off:s.off+s.n], o.cbPix[s.src:], a)
		blend(f.Cr[s.off:s.off+s.n], o.crPix[s.src:], a)
	}
}

// blend mixes src into dst with opacity a (0–255); src is at least as long as dst.
func blend(dst, src []byte, a uint32) {
	src = src[:len(dst)]
	for i, d := range dst {
		dst[i] = uint8((uint32(d)*(255-a) + uint32(src[i])*a + 127) / 255)
	}
}

// put copies src into dst; spans are mostly a few pixels long, where a plain loop beats a call
// to memmove.
func put(dst, src []byte) {
	if len(dst) > 32 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i]
	}
}
