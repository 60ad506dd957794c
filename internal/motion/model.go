package motion

// compare is the per-pixel pass: it compares this frame with the background scaled by the global
// gain g (4.12 fixed point: g > 1 means the picture got brighter as a whole), marks the raw
// foreground in d.fg, and adapts the background and the noise level. Background pixels adapt at
// aBg/256 per frame, foreground pixels at aFg/256 (a stopped object slowly becomes background);
// the noise level adapts at aDev/256 on background pixels and, when devFg is set, also on
// foreground pixels (so chronic flicker raises its own threshold). The background is kept in the
// current picture's brightness, so a slow drift (sunrise) never shows as a difference.
//
// It also marks in d.moving the pixels that changed since the previous frame (d.prev): a blob must
// hold some of them to count as motion, so a stopped object or the ghost of one that left is no
// motion even before the background has absorbed it.
//
// It returns how many pixels differ from the unscaled background (rawN) and from the scaled one
// (normN): the caller's light-change test.
func (d *Detector) compare(g uint32, aBg, aFg, aDev int32, devFg bool) (rawN, normN int) {
	cur, bg, dev, fg, prev, mov := d.cur, d.bg, d.dev, d.fg, d.prev, d.moving
	prev = prev[:len(cur)]
	mov = mov[:len(cur)]
	bg = bg[:len(cur)]
	dev = dev[:len(cur)]
	fg = fg[:len(cur)]
	aDevFg := int32(0)
	if devFg {
		aDevFg = 1
	}
	var sumBg uint64
	var part uint32
	for i, cv := range cur {
		c := int32(cv)
		b := int32(bg[i])
		gb := int32((uint32(b) * g) >> 12)
		diff := c - gb
		ad := abs32(diff)
		dv := int32(dev[i])
		thr := max(thrFloor, 4*dv+thrAdd)
		if abs32(c-b) > thr {
			rawN++
		}
		// Changed since the last frame, by a wider margin than the background test (a frame
		// difference is noisier than a difference from the averaged background).
		if abs32(c-int32(prev[i])) > thr+thr/2 {
			mov[i] = 1
		} else {
			mov[i] = 0
		}
		prev[i] = cv
		if ad > thr {
			normN++
			fg[i] = 1
			gb += (diff * aFg) >> 8
			dv += ((ad - dv) * aDevFg) >> 8
		} else {
			fg[i] = 0
			gb += (diff * aBg) >> 8
			dv += ((ad - dv) * aDev) >> 8
		}
		gb = min(max(gb, 0), 0xffff)
		dv = min(max(dv, 0), devMax)
		bg[i] = uint16(gb)
		dev[i] = uint16(dv)
		if fg[i] == 0 {
			part += uint32(gb)
			if part >= 1<<31 {
				sumBg += uint64(part)
				part = 0
			}
		}
	}
	d.sumBg = sumBg + uint64(part)
	return rawN, normN
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
