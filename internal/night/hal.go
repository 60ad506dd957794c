package night

import "context"

// IRCut is the IR-cut filter (hal.IRCut has it). SetDay(ctx, true) puts the filter in front of
// the sensor (day: true colours), SetDay(ctx, false) takes it away (night: the sensor sees
// infrared). It may block for the filter's pulse (a second on the Dafang) or until ctx ends.
type IRCut interface {
	SetDay(ctx context.Context, day bool) error
}

// IRLED is the infrared illuminator (hal.Switch has it).
type IRLED interface {
	Set(on bool) error
}

// LightSensor reads one light level. Larger means brighter; the scale is the sensor's own (the
// firmware's ADC counts for "hw", mean luma 0–255 for Virtual), and the Controller's thresholds
// are in the same units. It may block briefly (an ADC read) but must not wait for long.
// hal.LightSensor has it.
type LightSensor interface {
	Light(ctx context.Context) (int, error)
}

// Look is the picture's night look (the ISP's black-and-white night mode on a camera,
// synthetic.Source.SetNight on the synthetic scene).
type Look interface {
	SetNight(on bool)
}

// LightFunc adapts a function to LightSensor.
type LightFunc func(ctx context.Context) (int, error)

// Light calls f.
func (f LightFunc) Light(ctx context.Context) (int, error) { return f(ctx) }
