package motion

import "image"

// despeckle writes into d.clean the 3×3 majority of the raw foreground or the pixels changed since
// the last frame (a pixel stays when at least 5 of the 9 pixels around and including it are
// either), restricted to the active area. The changed pixels join so that the trail an object
// leaves belongs to its blob: a uniform object that is leaving a region changes only there. It
// removes isolated noise pixels and thin lines and fills pinholes; the picture border is cleared.
func (d *Detector) despeckle() {
	w, h := d.dw, d.dh
	clear(d.clean)
	if w < 3 || h < 3 {
		return
	}
	cs := d.colSum
	for y := 1; y < h-1; y++ {
		up, mid, dn := d.fg[(y-1)*w:y*w], d.fg[y*w:(y+1)*w], d.fg[(y+1)*w:(y+2)*w]
		mu, mm, md := d.moving[(y-1)*w:y*w], d.moving[y*w:(y+1)*w], d.moving[(y+1)*w:(y+2)*w]
		for x := range cs {
			cs[x] = (up[x] | mu[x]) + (mid[x] | mm[x]) + (dn[x] | md[x])
		}
		out := d.clean[y*w : (y+1)*w]
		act := d.active[y*w : (y+1)*w]
		for x := 1; x < w-1; x++ {
			if cs[x-1]+cs[x]+cs[x+1] >= 5 {
				out[x] = act[x]
			}
		}
	}
}

// label finds the 8-connected blobs of d.clean: d.labels gets each pixel's blob number (1-based,
// 0 = none) and d.blobs their areas and boxes.
func (d *Detector) label() {
	w, h := d.dw, d.dh
	clear(d.labels)
	d.blobs = d.blobs[:0]
	for start, v := range d.clean {
		if v == 0 || d.labels[start] != 0 {
			continue
		}
		id := int32(len(d.blobs) + 1)
		sx, sy := start%w, start/w
		b := blob{box: image.Rect(sx, sy, sx+1, sy+1)}
		q := append(d.queue[:0], int32(start))
		d.labels[start] = id
		for len(q) > 0 {
			i := int(q[len(q)-1])
			q = q[:len(q)-1]
			b.area++
			b.moved += int32(d.moving[i])
			x, y := i%w, i/w
			b.box.Min.X = min(b.box.Min.X, x)
			b.box.Max.X = max(b.box.Max.X, x+1)
			b.box.Min.Y = min(b.box.Min.Y, y)
			b.box.Max.Y = max(b.box.Max.Y, y+1)
			for ny := max(y-1, 0); ny <= min(y+1, h-1); ny++ {
				for nx := max(x-1, 0); nx <= min(x+1, w-1); nx++ {
					j := ny*w + nx
					if d.clean[j] != 0 && d.labels[j] == 0 {
						d.labels[j] = id
						q = append(q, int32(j))
					}
				}
			}
		}
		d.queue = q[:0]
		d.blobs = append(d.blobs, b)
	}
}

// counts reports whether a blob is motion: large enough for the sensitivity, and partly changed
// since the last frame (not a stopped object or a ghost).
func (d *Detector) counts(b blob) bool { return b.area >= d.minArea && b.moved >= d.minMove }

// evaluate turns the blobs into the frame's Result: per region the share of changed pixels and
// the pixels of blobs that count (see counts); a region has motion when those pixels reach
// minArea and the changed share stays under MaxChanged.
func (d *Detector) evaluate(res *Result) {
	w, h := d.dw, d.dh
	// Integral images of the clean foreground and of the pixels of large-enough blobs.
	stride := w + 1
	clear(d.intFg[:stride])
	clear(d.intVal[:stride])
	for y := 0; y < h; y++ {
		var rf, rv int32
		lab := d.labels[y*w : (y+1)*w]
		cl := d.clean[y*w : (y+1)*w]
		pf, pv := d.intFg[y*stride:], d.intVal[y*stride:]
		of, ov := d.intFg[(y+1)*stride:], d.intVal[(y+1)*stride:]
		of[0], ov[0] = 0, 0
		for x := 0; x < w; x++ {
			rf += int32(cl[x])
			if l := lab[x]; l != 0 && d.counts(d.blobs[l-1]) {
				rv++
			}
			of[x+1] = pf[x+1] + rf
			ov[x+1] = pv[x+1] + rv
		}
	}
	best, bestVal := -1, int32(0)
	bestShare, maxShare := 0.0, 0.0
	for i, reg := range d.regions {
		if reg.active == 0 {
			continue
		}
		share := float64(rectSum(d.intFg, w, reg.r)) / float64(reg.active)
		maxShare = max(maxShare, share)
		val := rectSum(d.intVal, w, reg.r)
		if val < d.minArea || share >= d.p.MaxChanged {
			continue
		}
		if val > bestVal {
			best, bestVal, bestShare = i, val, share
		}
	}
	if best < 0 {
		res.Score = maxShare
		return
	}
	res.Motion = true
	res.Region = best
	res.Score = bestShare
	var box image.Rectangle
	rr := d.regions[best].r
	for _, b := range d.blobs {
		if d.counts(b) && b.box.Overlaps(rr) {
			box = box.Union(b.box)
		}
	}
	s := d.shift
	res.Box = image.Rect(box.Min.X<<s, box.Min.Y<<s, box.Max.X<<s, box.Max.Y<<s).
		Intersect(image.Rect(0, 0, d.inW, d.inH))
}

// integral fills out ((w+1)×(h+1)) with the integral image of the 0/1 mask m (w×h).
func integral(out []int32, m []uint8, w, h int) {
	stride := w + 1
	clear(out[:stride])
	for y := 0; y < h; y++ {
		var run int32
		out[(y+1)*stride] = 0
		for x := 0; x < w; x++ {
			run += int32(m[y*w+x])
			out[(y+1)*stride+x+1] = out[y*stride+x+1] + run
		}
	}
}

// rectSum is the mask's count inside r from its integral image.
func rectSum(in []int32, w int, r image.Rectangle) int32 {
	if r.Empty() {
		return 0
	}
	s := w + 1
	return in[r.Max.Y*s+r.Max.X] - in[r.Min.Y*s+r.Max.X] - in[r.Max.Y*s+r.Min.X] + in[r.Min.Y*s+r.Min.X]
}
