package snapshot

import (
	"github.com/freecam/freecam/internal/media"
)

// Limits of a requested picture size.
const (
	MinDimension = 16   // smallest width or height served
	MaxDimension = 8192 // largest width or height a request may ask for (then capped at the source)
)

// FitSize returns the size of a snapshot of a srcW×srcH frame for a request of reqW×reqH, where
// 0 means "not given": neither given gives the source size; one given keeps the source's aspect
// ratio; both given gives that size. The result is never larger than the source in either
// direction (a request above it is shrunk, keeping the requested aspect), is even, and is at least
// MinDimension (or the source size if that is smaller).
func FitSize(srcW, srcH, reqW, reqH int) (w, h int) {
	switch {
	case reqW <= 0 && reqH <= 0:
		return srcW, srcH
	case reqH <= 0:
		reqH = int((int64(srcH)*int64(reqW) + int64(srcW)/2) / int64(srcW))
	case reqW <= 0:
		reqW = int((int64(srcW)*int64(reqH) + int64(srcH)/2) / int64(srcH))
	}
	w, h = reqW, reqH
	if w > srcW || h > srcH {
		// Shrink by the larger overshoot so both fit; compare w/srcW with h/srcH exactly.
		if int64(w)*int64(srcH) >= int64(h)*int64(srcW) {
			h = int(int64(h) * int64(srcW) / int64(w))
			w = srcW
		} else {
			w = int(int64(w) * int64(srcH) / int64(h))
			h = srcH
		}
	}
	return clampDim(w, srcW), clampDim(h, srcH)
}

func clampDim(v, src int) int {
	v &^= 1
	lo := min(MinDimension, src)
	return min(max(v, lo), src)
}

// Scaler shrinks I420 frames with a box filter (every source pixel counts once, so fine detail
// averages out instead of aliasing). It keeps its destination frame and tables between calls, so
// repeated scaling to the same size does not allocate. A Scaler is not goroutine-safe.
type Scaler struct {
	dst   *media.RawFrame
	xb    []int    // column bounds: dst column i averages source columns xb[i]..xb[i+1]-1
	acc   []uint32 // per dst column sums of the current dst row
	xbFor [2]int   // (src width, dst width) xb was built for
}

// Scale returns src shrunk to w×h (even, at most src's size; use FitSize). If the size is src's
// own, it returns src itself. Otherwise the result is the Scaler's own frame, valid until the next
// Scale; it carries src's ID, Time and PTS.
func (s *Scaler) Scale(src *media.RawFrame, w, h int) *media.RawFrame {
	if w == src.Width && h == src.Height {
		return src
	}
	if s.dst == nil || s.dst.Width != w || s.dst.Height != h {
		s.dst = media.NewRawFrame(w, h)
	}
	d := s.dst
	d.ID, d.Time, d.PTS = src.ID, src.Time, src.PTS
	s.plane(d.Y, w, h, src.Y, src.Width, src.Height)
	s.plane(d.Cb, w/2, h/2, src.Cb, src.Width/2, src.Height/2)
	s.plane(d.Cr, w/2, h/2, src.Cr, src.Width/2, src.Height/2)
	return d
}

// plane box-filters one sw×sh plane into dw×dh (dw ≤ sw, dh ≤ sh).
func (s *Scaler) plane(dst []byte, dw, dh int, src []byte, sw, sh int) {
	if dw*2 == sw && dh*2 == sh {
		half(dst, dw, dh, src, sw)
		return
	}
	if s.xbFor != [2]int{sw, dw} {
		s.xb = s.xb[:0]
		for i := 0; i <= dw; i++ {
			s.xb = append(s.xb, i*sw/dw)
		}
		s.xbFor = [2]int{sw, dw}
	}
	if cap(s.acc) < dw {
		s.acc = make([]uint32, dw)
	}
	acc := s.acc[:dw]
	xb := s.xb[:dw+1]
	for j := range dh {
		y0, y1 := j*sh/dh, (j+1)*sh/dh
		clear(acc)
		for sy := y0; sy < y1; sy++ {
			row := src[sy*sw : sy*sw+sw]
			for i := range acc {
				var sum uint32
				for _, v := range row[xb[i]:xb[i+1]] {
					sum += uint32(v)
				}
				acc[i] += sum
			}
		}
		out := dst[j*dw : j*dw+dw]
		rows := uint32(y1 - y0)
		for i, sum := range acc {
			n := uint32(xb[i+1]-xb[i]) * rows
			out[i] = byte((sum + n/2) / n)
		}
	}
}

// half is the exact 2:1 case (1280×720 → 640×360): each output pixel is the rounded mean of a 2×2
// block.
func half(dst []byte, dw, dh int, src []byte, sw int) {
	for j := range dh {
		r0 := src[2*j*sw : 2*j*sw+sw]
		r1 := src[(2*j+1)*sw : (2*j+1)*sw+sw]
		out := dst[j*dw : j*dw+dw]
		for i := range out {
			x := 2 * i
			out[i] = byte((uint32(r0[x]) + uint32(r0[x+1]) + uint32(r1[x]) + uint32(r1[x+1]) + 2) >> 2)
		}
	}
}
