package synthetic

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// variants is how many noisy copies of the background are precomputed. Each row of a frame is
// copied from one of them, picked by a hash of the frame number and row, so the noise changes
// every frame at the cost of a memcpy.
const variants = 4

// tables are the precomputed backgrounds, built once on first use.
type tables struct {
	dayY, nightY [variants][]byte
	dayCb, dayCr [variants][]byte
	grey         []byte // one chroma plane of 128
	horizon      int
	clockX       int // clock centre and radius
	clockY       int
	clockR       int
}

// Overlay levels.
const (
	objectLuma = 235
	handDay    = 20
	handNight  = 220
)

// Render draws frame n of the scene into dst, which must be an I420 frame of the source's size. It
// writes every byte of dst and allocates nothing after the first call (which builds the tables,
// and the night tables on the first night frame). The picture depends only on the seed, n and the
// night switch.
func (s *Source) Render(dst *media.RawFrame, n int64) {
	s.prepare()
	night := s.night.Load()
	if night {
		s.nightOnce.Do(s.buildNight)
	}
	tb := &s.tables
	w, h := s.opts.Width, s.opts.Height
	cw := w / 2
	seed := s.opts.Seed
	for y := 0; y < h; y++ {
		v := rowVariant(seed, n, y)
		src := tb.dayY[v]
		if night {
			src = tb.nightY[v]
		}
		copy(dst.Y[y*w:(y+1)*w], src[y*w:(y+1)*w])
	}
	if night {
		copy(dst.Cb, tb.grey)
		copy(dst.Cr, tb.grey)
	} else {
		for y := 0; y < h/2; y++ {
			v := rowVariant(seed^0x9e3779b97f4a7c15, n, y)
			copy(dst.Cb[y*cw:(y+1)*cw], tb.dayCb[v][y*cw:(y+1)*cw])
			copy(dst.Cr[y*cw:(y+1)*cw], tb.dayCr[v][y*cw:(y+1)*cw])
		}
	}

	t := s.PTS(n)
	if r, ok := s.ObjectAt(t); ok {
		cb, cr := byte(90), byte(200) // a red object by day
		if night {
			cb, cr = 128, 128
		}
		fillRect(dst, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y, objectLuma, cb, cr)
	}

	// Clock hand: one turn per minute.
	hand := byte(handDay)
	if night {
		hand = handNight
	}
	angle := 2 * math.Pi * float64(t%time.Minute) / float64(time.Minute)
	sin, cos := math.Sincos(angle)
	length := float64(tb.clockR) * 0.9
	for i := 0; i <= int(length); i++ {
		x := tb.clockX + int(float64(i)*sin)
		y := tb.clockY - int(float64(i)*cos)
		fillLuma(dst, x-1, y-1, x+2, y+2, hand)
	}
	s.applyLight(dst.Y, night)
}

// rowVariant picks the background copy for row y of frame n (splitmix64).
func rowVariant(seed uint64, n int64, y int) int {
	z := seed + uint64(n)*0x9e3779b97f4a7c15 + uint64(y)*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % variants)
}

func fillLuma(f *media.RawFrame, x0, y0, x1, y1 int, v byte) {
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, f.Width), min(y1, f.Height)
	for y := y0; y < y1; y++ {
		row := f.Y[y*f.Width+x0 : y*f.Width+max(x1, x0)]
		for i := range row {
			row[i] = v
		}
	}
}

func fillRect(f *media.RawFrame, x0, y0, x1, y1 int, yv, cb, cr byte) {
	fillLuma(f, x0, y0, x1, y1, yv)
	cw := f.Width / 2
	for y := y0 / 2; y < (y1+1)/2; y++ {
		for x := x0 / 2; x < (x1+1)/2; x++ {
			f.Cb[y*cw+x] = cb
			f.Cr[y*cw+x] = cr
		}
	}
}

func (s *Source) prepare() { s.dayOnce.Do(s.buildDay) }

// base is the noiseless day luma of the background at (x, y).
func (s *Source) base(x, y int) float64 {
	tb := &s.tables
	h := s.opts.Height
	if y < tb.horizon {
		// Sky: a gradient with soft clouds.
		v := 185 - 45*float64(y)/float64(tb.horizon)
		v += 8 * math.Sin(float64(x)*0.021+float64(y)*0.013) * math.Sin(float64(y)*0.05)
		return v
	}
	// Ground: a brick wall with mortar lines and per-brick shade.
	bh := max(h/36, 4)
	bw := bh * 3
	row := (y - tb.horizon) / bh
	off := (row % 2) * bw / 2
	if (y-tb.horizon)%bh == 0 || (x+off)%bw == 0 {
		return 70
	}
	shade := float64(((x+off)/bw*7+row*13)%9) * 3
	return 105 + shade
}

func (s *Source) buildDay() {
	w, h := s.opts.Width, s.opts.Height
	tb := &s.tables
	tb.horizon = h * 11 / 20
	tb.clockR = h / 8
	tb.clockX = w - tb.clockR - 16
	tb.clockY = tb.clockR + 16

	rng := rand.New(rand.NewPCG(s.opts.Seed, 1))
	for v := range variants {
		tb.dayY[v] = make([]byte, w*h)
		for y := range h {
			for x := range w {
				tb.dayY[v][y*w+x] = clamp(s.base(x, y) + 3*gauss(rng))
			}
		}
		s.drawDial(tb.dayY[v], 60)
	}
	cw, ch := w/2, h/2
	for v := range variants {
		tb.dayCb[v] = make([]byte, cw*ch)
		tb.dayCr[v] = make([]byte, cw*ch)
		for y := range ch {
			cb, cr := 150.0, 112.0 // sky
			if 2*y >= tb.horizon {
				cb, cr = 108, 150 // brick
			}
			for x := range cw {
				tb.dayCb[v][y*cw+x] = clamp(cb + 1.5*gauss(rng))
				tb.dayCr[v][y*cw+x] = clamp(cr + 1.5*gauss(rng))
			}
		}
	}
	tb.grey = make([]byte, cw*ch)
	for i := range tb.grey {
		tb.grey[i] = 128
	}
}

func (s *Source) buildNight() {
	w, h := s.opts.Width, s.opts.Height
	tb := &s.tables
	rng := rand.New(rand.NewPCG(s.opts.Seed, 2))
	for v := range variants {
		tb.nightY[v] = make([]byte, w*h)
		for y := range h {
			for x := range w {
				tb.nightY[v][y*w+x] = clamp(12 + 0.35*s.base(x, y) + 9*gauss(rng))
			}
		}
		s.drawDial(tb.nightY[v], 150)
	}
}

// drawDial draws the clock's ring and its twelve marks into a luma plane.
func (s *Source) drawDial(p []byte, v byte) {
	w := s.opts.Width
	tb := &s.tables
	for a := 0; a < 720; a++ {
		sin, cos := math.Sincos(float64(a) * math.Pi / 360)
		for dr := -1; dr <= 1; dr++ {
			x := tb.clockX + int(float64(tb.clockR+dr)*sin)
			y := tb.clockY - int(float64(tb.clockR+dr)*cos)
			p[y*w+x] = v
		}
		if a%60 == 0 {
			for r := tb.clockR * 8 / 10; r < tb.clockR; r++ {
				p[(tb.clockY-int(float64(r)*cos))*w+tb.clockX+int(float64(r)*sin)] = v
			}
		}
	}
}

// gauss is an approximately normal sample with unit deviation (Irwin–Hall with four terms).
func gauss(r *rand.Rand) float64 {
	return (r.Float64() + r.Float64() + r.Float64() + r.Float64() - 2) * math.Sqrt(3)
}

func clamp(v float64) byte {
	switch {
	case v < 16:
		return 16
	case v > 200:
		return 200
	}
	return byte(v + 0.5)
}
