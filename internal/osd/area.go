package osd

import "image"

// AppendAreas appends to dst the rectangles of a w×h picture the OSD draws on: the text box of the last frame
// drawn (empty when the text is off) and the motion marker's place (drawn only during motion).
// Motion detection excludes them, or the ticking clock and the marker itself would be motion.
// Safe from any goroutine; with a reused dst it does not allocate (motion calls it per picture).
func (r *Renderer) AppendAreas(dst []image.Rectangle, w, h int) []image.Rectangle {
	out := dst
	if box := unpackRect(r.textArea.Load()); !box.Empty() {
		// The text's width changes with it (proportional letters, the date); allow some slack.
		out = append(out, box.Inset(-max(h/90, 2)).Intersect(image.Rect(0, 0, w, h)))
	}
	radius := max(float64(h)*0.0125, 2)
	cx, cy := float64(w)-2*radius, 2*radius
	m := int(radius) + 2
	out = append(out, image.Rect(int(cx)-m, int(cy)-m, int(cx)+m, int(cy)+m).Intersect(image.Rect(0, 0, w, h)))
	return out
}

func packRect(r image.Rectangle) uint64 {
	c := func(v int) uint64 { return uint64(min(max(v, 0), 0xffff)) }
	return c(r.Min.X) | c(r.Min.Y)<<16 | c(r.Max.X)<<32 | c(r.Max.Y)<<48
}

func unpackRect(p uint64) image.Rectangle {
	return image.Rect(int(p&0xffff), int(p>>16&0xffff), int(p>>32&0xffff), int(p>>48&0xffff))
}
