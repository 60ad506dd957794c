package synthetic

// Ambient light: the scene follows a light level like the simulated HAL's light sensor reports it
// (0 dark … 200 full daylight), so that the night controller, which looks at the picture, sees
// dusk and dawn. By day the picture darkens with the light; in the night look (IR cut off, IR LED
// on) the IR picture keeps its own brightness and ambient light adds to it, as on a real camera.

// FullLight is the level of full daylight: the picture as drawn, with no darkening.
const FullLight = 200

// SetLight sets the ambient light level (clamped to 0…255). A negative level means full daylight,
// the default. Safe from any goroutine.
func (s *Source) SetLight(level int) {
	if level < 0 {
		level = FullLight
	}
	s.light.Store(int32(min(level, 255)))
}

// Light returns the ambient light level the scene is drawn with.
func (s *Source) Light() int {
	if l := s.light.Load(); l != 0 {
		return int(l)
	}
	return FullLight
}

// applyLight maps the luma plane through a table for the current light level. At full daylight
// it does nothing, so the common case costs no extra pass over the picture.
func (s *Source) applyLight(y []byte, night bool) {
	level := s.Light()
	if !night && level >= FullLight {
		return
	}
	if s.lut.level != level || s.lut.night != night || !s.lut.ok {
		f := float64(level) / FullLight
		for i := range s.lut.table {
			var v float64
			if night {
				v = float64(i) + 30*min(f, 1) // the IR picture plus what the ambient light adds
			} else {
				v = float64(i) * max(f, 0.06) // a dark scene still shows a little sensor noise
			}
			s.lut.table[i] = byte(min(v, 255))
		}
		s.lut.level, s.lut.night, s.lut.ok = level, night, true
	}
	t := &s.lut.table
	for i, v := range y {
		y[i] = t[v]
	}
}

// lightTable caches the luma table of the last light level; used by Render only.
type lightTable struct {
	ok    bool
	level int
	night bool
	table [256]byte
}
