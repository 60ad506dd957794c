package synthetic

import (
	"image"
	"time"
)

// ScriptPeriod is the length of the object's script; it repeats forever.
const ScriptPeriod = 60 * time.Second

// ObjectAt is where the bright object is at stream time t (a frame's PTS), following a script
// that repeats every 60 s:
//
//	 0 s – 20 s  quiet: no object
//	20 s – 30 s  the object crosses left → right through the vertical middle
//	30 s – 40 s  quiet
//	40 s – 45 s  the object crosses right → left, faster, through the lower third
//	45 s – 60 s  quiet
//
// The object is W/8 × H/6 and always lies fully inside the picture, away from the clock (top right)
// and the seconds bar (bottom). Safe from any goroutine.
func (s *Source) ObjectAt(t time.Duration) (r image.Rectangle, visible bool) {
	w, h := s.opts.Width, s.opts.Height
	ow, oh := w/8, h/6
	t %= ScriptPeriod
	if t < 0 {
		t += ScriptPeriod
	}
	var x, y int
	switch {
	case t >= 20*time.Second && t < 30*time.Second:
		x = int(int64(w-ow) * int64(t-20*time.Second) / int64(10*time.Second))
		y = (h - oh) / 2
	case t >= 40*time.Second && t < 45*time.Second:
		x = (w - ow) - int(int64(w-ow)*int64(t-40*time.Second)/int64(5*time.Second))
		y = h*2/3 - oh/2
	default:
		return image.Rectangle{}, false
	}
	return image.Rect(x, y, x+ow, y+oh), true
}
