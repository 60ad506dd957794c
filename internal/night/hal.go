package night

// IRCut is the IR-cut filter. SetDay(true) puts the filter in front of the sensor (day: true
// colours), SetDay(false) takes it away (night: the sensor sees infrared).
type IRCut interface {
	SetDay(day bool) error
}

// IRLED is the infrared illuminator.
type IRLED interface {
	Set(on bool) error
}

// LightSensor reads one light level. Larger means brighter; the scale is the sensor's own (the
// firmware's ADC counts for "hw", mean luma 0–255 for Virtual), and the Controller's thresholds
// are in the same units. It may block briefly (an ADC read) but must not wait for long.
type LightSensor interface {
	Light() (int, error)
}

// Look is the picture's night look (the ISP's black-and-white night mode on a camera,
// synthetic.Source.SetNight on the synthetic scene).
type Look interface {
	SetNight(on bool)
}

// LightFunc adapts a function to LightSensor.
type LightFunc func() (int, error)

// Light calls f.
func (f LightFunc) Light() (int, error) { return f() }
