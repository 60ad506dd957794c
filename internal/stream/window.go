package stream

import (
	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
)

// addToWindow appends f to the GOP window and trims whole GOPs from the front while the rest still
// covers the pre-roll and fits the memory cap. Called with h.mu held.
func (h *Hub) addToWindow(f *media.Frame) {
	if len(h.window) == 0 && !f.Key {
		return // nothing decodable to keep until the first keyframe
	}
	if f.Key && h.opts.Preroll <= 0 {
		h.dropFront(len(h.window)) // only the current GOP is wanted
	}
	h.window = append(h.window, f)
	h.bytes += f.Size()

	for {
		next := h.nextKeyAfterFront()
		if next < 0 {
			return // the window is one GOP: always kept
		}
		overBudget := h.bytes > h.opts.MaxWindowBytes
		// The GOP starting at next alone still covers the pre-roll: the front GOP is not needed.
		covered := f.PTS-h.window[next].PTS >= h.opts.Preroll
		if !overBudget && !covered {
			return
		}
		h.dropFront(next)
	}
}

// nextKeyAfterFront is the index of the second keyframe in the window, or -1.
func (h *Hub) nextKeyAfterFront() int {
	for i := 1; i < len(h.window); i++ {
		if h.window[i].Key {
			return i
		}
	}
	return -1
}

// dropFront removes the first n frames, reusing the backing array so the window does not grow.
func (h *Hub) dropFront(n int) {
	for _, f := range h.window[:n] {
		h.bytes -= f.Size()
	}
	rest := copy(h.window, h.window[n:])
	clear(h.window[rest:])
	h.window = h.window[:rest]
}

// currentGOP is the tail of the window from its last keyframe. Called with h.mu held.
func (h *Hub) currentGOP() []*media.Frame {
	for i := len(h.window) - 1; i >= 0; i-- {
		if h.window[i].Key {
			return h.window[i:]
		}
	}
	return nil
}

// trackParams remembers the SPS/PPS of f and, for an IDR frame that lacks them, puts the last
// ones in front. It replaces f.NALUs with a new slice rather than writing into the producer's.
func (h *Hub) trackParams(f *media.Frame) {
	sps, pps := h264.ParamSets(f.NALUs)
	hasSPS, hasPPS := sps != nil, pps != nil
	if hasSPS {
		h.sps = sps
	}
	if hasPPS {
		h.pps = pps
	}
	if !f.Key || (hasSPS && hasPPS) || h.sps == nil || h.pps == nil {
		return
	}
	nalus := make([][]byte, 0, len(f.NALUs)+2)
	if !hasSPS {
		nalus = append(nalus, h.sps)
	}
	if !hasPPS {
		nalus = append(nalus, h.pps)
	}
	f.NALUs = append(nalus, f.NALUs...)
}
