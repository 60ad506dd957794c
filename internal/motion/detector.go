package motion

import (
	"image"
	"time"
)

// Detector finds motion in a sequence of luma pictures. It is pure and deterministic (the same
// pictures and times give the same Results), not safe for concurrent use, and allocates nothing
// per frame once its buffers are sized for the picture.
type Detector struct {
	p Params

	// Geometry of the detection picture for the current input size.
	inW, inH int
	shift    uint // log2 of the downscale factor
	dw, dh   int

	// Per-pixel state at detection size.
	cur    []uint16 // this frame, luma 8.8 fixed point
	bg     []uint16 // background, 8.8
	dev    []uint16 // mean absolute deviation from the background (noise level), 8.8
	fg     []uint8  // raw foreground of the last frame (1/0), also excluded from the gain estimate
	prev   []uint16 // the previous frame, 8.8
	moving []uint8  // changed since the previous frame (1/0)
	clean  []uint8  // despeckled foreground inside the active area
	active []uint8  // 1 inside a region and outside every exclusion
	rowSum []uint32 // downscale accumulator, one row
	colSum []uint8  // despeckle column sums, one row
	labels []int32  // blob label per pixel, 0 = none
	queue  []int32  // flood-fill work list
	blobs  []blob
	intFg  []int32 // integral image of clean
	intVal []int32 // integral image of pixels in blobs of at least minArea
	intAct []int32 // integral image of active

	regions []detRegion // detection-scale regions; one whole-frame region when Params.Regions is empty
	minArea int32       // minimum blob area, detection pixels
	minMove int32       // minimum pixels of a blob that changed since the last frame

	// Temporal state.
	learnt    bool          // the background holds a picture
	lastT     time.Duration // time of the previous frame
	warmUntil time.Duration // no motion is reported before this time (after learning)
	sumBg     uint64        // sum of bg over pixels with fg == 0, for the next frame's gain
	nFrames   uint64

	ev eventState
}

// detRegion is one region at detection scale.
type detRegion struct {
	r      image.Rectangle
	active int32 // active pixels inside r
}

// blob is one connected group of foreground pixels (detection scale).
type blob struct {
	area  int32
	moved int32 // pixels that changed since the last frame
	box   image.Rectangle
}

// Detection picture and model constants (luma in 8.8 fixed point).
const (
	maxDetWidth = 320     // the detection picture is at most this wide
	maxFactor   = 16      // largest downscale factor (keeps the box sums in range)
	gainOne     = 1 << 12 // gain fixed point 4.12
	thrFloor    = 5 << 8  // no pixel threshold below 5 luma levels
	thrAdd      = 1 << 8  // threshold = 4 × deviation + 1 level
	devInit     = 2 << 8  // deviation assumed before anything was learnt
	devMax      = 40 << 8 // deviation never rises above this (a threshold of 161 levels)
	tauBg       = 3 * time.Second
	tauFg       = 60 * time.Second // a stopped object joins the background in about a minute
	tauDev      = 5 * time.Second
	dtMax       = 2 * time.Second
	warmUp      = time.Second // after (re)learning: adapt fast, report no motion
)

// NewDetector validates p and returns a detector sized for p.Width × p.Height pictures.
func NewDetector(p Params) (*Detector, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &Detector{p: p}
	d.configure(p.Width, p.Height)
	return d, nil
}

// Params returns the effective parameters (defaults filled in).
func (d *Detector) Params() Params { return d.p }

// DetectionSize is the size of the downscaled picture the detector works on for the current
// input size.
func (d *Detector) DetectionSize() (w, h int) { return d.dw, d.dh }

// Active reports whether an event is in progress.
func (d *Detector) Active() bool { return d.ev.active }

// Reset forgets the background (e.g. after a day/night switch): the next frame is learnt and
// reports no motion. An event in progress is not cut short: it ends after EventGap as usual, so
// every Start is followed by an End.
func (d *Detector) Reset() {
	d.learnt = false
	d.ev.run = 0
}

// configure sizes every buffer for width × height input pictures. It allocates.
func (d *Detector) configure(width, height int) {
	d.inW, d.inH = width, height
	d.shift = 0
	for (width>>d.shift) > maxDetWidth && (1<<d.shift) < maxFactor {
		d.shift++
	}
	d.dw, d.dh = max(width>>d.shift, 1), max(height>>d.shift, 1)
	n := d.dw * d.dh
	d.cur = make([]uint16, n)
	d.bg = make([]uint16, n)
	d.dev = make([]uint16, n)
	d.fg = make([]uint8, n)
	d.prev = make([]uint16, n)
	d.moving = make([]uint8, n)
	d.clean = make([]uint8, n)
	d.active = make([]uint8, n)
	d.rowSum = make([]uint32, d.dw)
	d.colSum = make([]uint8, d.dw)
	d.labels = make([]int32, n)
	d.queue = make([]int32, 0, n)
	d.blobs = make([]blob, 0, 256)
	ni := (d.dw + 1) * (d.dh + 1)
	d.intFg = make([]int32, ni)
	d.intVal = make([]int32, ni)
	d.intAct = make([]int32, ni)
	d.minArea = max(int32(MinBlobShare(d.p.Sensitivity)*float64(n)+0.5), 2)
	d.minMove = max(d.minArea/4, 2)

	// Regions and exclusions, scaled from Params' size to this input size, then to detection
	// scale (outward: a region or exclusion never shrinks).
	toDet := func(r image.Rectangle) image.Rectangle {
		r = r.Canon()
		x0, y0 := r.Min.X*width/d.p.Width, r.Min.Y*height/d.p.Height
		x1, y1 := (r.Max.X*width+d.p.Width-1)/d.p.Width, (r.Max.Y*height+d.p.Height-1)/d.p.Height
		f := 1 << d.shift
		return image.Rect(x0>>d.shift, y0>>d.shift, (x1+f-1)>>d.shift, (y1+f-1)>>d.shift).
			Intersect(image.Rect(0, 0, d.dw, d.dh))
	}
	whole := image.Rect(0, 0, d.dw, d.dh)
	d.regions = d.regions[:0]
	if len(d.p.Regions) == 0 {
		d.regions = append(d.regions, detRegion{r: whole})
	}
	for _, r := range d.p.Regions {
		if r.Empty() {
			d.regions = append(d.regions, detRegion{r: whole})
			continue
		}
		d.regions = append(d.regions, detRegion{r: toDet(r)})
	}
	for _, reg := range d.regions {
		for y := reg.r.Min.Y; y < reg.r.Max.Y; y++ {
			row := d.active[y*d.dw:]
			for x := reg.r.Min.X; x < reg.r.Max.X; x++ {
				row[x] = 1
			}
		}
	}
	for _, e := range d.p.Exclusions {
		if e.Empty() {
			continue
		}
		er := toDet(e)
		for y := er.Min.Y; y < er.Max.Y; y++ {
			row := d.active[y*d.dw:]
			for x := er.Min.X; x < er.Max.X; x++ {
				row[x] = 0
			}
		}
	}
	integral(d.intAct, d.active, d.dw, d.dh)
	for i := range d.regions {
		d.regions[i].active = rectSum(d.intAct, d.dw, d.regions[i].r)
	}
	d.learnt = false
}

// Process takes one picture's luma plane (stride = width) at time t (monotonic, e.g. PTS) and
// returns what it saw. Pure and deterministic; not safe for concurrent use; 0 allocs in steady
// state. A picture of another size than the last one re-sizes the detector (allocating, and
// relearning the background); a plane shorter than width × height is ignored (no motion).
func (d *Detector) Process(y []byte, width, height int, t time.Duration) Result {
	res := Result{Region: -1}
	if width <= 0 || height <= 0 || len(y) < width*height {
		res.Event = d.ev.step(false, t, d.p)
		res.Active = d.ev.active
		return res
	}
	if width != d.inW || height != d.inH {
		d.configure(width, height)
	}
	sumCur := d.downscale(y, width)
	dt := t - d.lastT
	if dt < 0 { // time went back (a restarted source): keep what is left of the warm-up
		d.warmUntil = t + max(d.warmUntil-d.lastT, 0)
	}
	d.lastT = t
	d.nFrames++

	if !d.learnt {
		d.relearn()
		d.learnt = true
		d.warmUntil = t + warmUp
		res.Event = d.ev.step(false, t, d.p)
		res.Active = d.ev.active
		return res
	}

	g := uint32(gainOne)
	if d.sumBg > 0 {
		g = uint32(min(sumCur*gainOne/d.sumBg, 4*gainOne-1))
	}
	dt = min(max(dt, 0), dtMax)
	warm := t < d.warmUntil
	aBg, aDev := rate(dt, tauBg, 2), rate(dt, tauDev, 1)
	if warm {
		aBg, aDev = rate(dt, warmUp/2, 2), rate(dt, warmUp/2, 1)
	}
	rawN, normN := d.compare(g, aBg, rate(dt, tauFg, 1), aDev, d.nFrames%4 == 0 || warm)
	n := float64(len(d.cur))
	if float64(rawN) >= d.p.LightChange*n || float64(normN) >= d.p.LightChange*n || g < gainOne/4 || g >= 4*gainOne-1 {
		d.relearn()
		res.Lighting = true
		res.Event = d.ev.step(false, t, d.p)
		res.Active = d.ev.active
		return res
	}

	if warm {
		res.Event = d.ev.step(false, t, d.p)
		res.Active = d.ev.active
		return res
	}
	d.despeckle()
	d.label()
	d.evaluate(&res)
	res.Event = d.ev.step(res.Motion, t, d.p)
	res.Active = d.ev.active
	return res
}

// rate is the per-frame adaptation rate in 1/256 for a time constant tau at frame interval dt,
// at least lo and at most 128.
func rate(dt, tau time.Duration, lo int32) int32 {
	return min(max(int32(int64(dt)*256/int64(tau)), lo), 128)
}

// relearn takes the current picture as the background and clears the foreground.
func (d *Detector) relearn() {
	var sum uint64
	for i, c := range d.cur {
		d.bg[i] = c
		d.prev[i] = c
		sum += uint64(c)
	}
	if !d.learnt {
		for i := range d.dev {
			d.dev[i] = devInit
		}
	}
	clear(d.fg)
	d.sumBg = sum
}
