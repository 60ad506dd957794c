package sim

import (
	"context"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

// Levels of the scripted light, on the firmware's ADC scale (night at ≤ 40,
// day at ≥ 45).
const (
	DayLevel   = 200
	NightLevel = 10
	// Noise is the largest deviation added to the script, so that a night
	// controller sees a realistic, slightly jittery signal.
	Noise = 3
)

// LightOptions configures Light. The zero value is usable.
type LightOptions struct {
	// Period is the length of one simulated day; default 10 minutes.
	Period time.Duration
	// Now is the clock; default time.Now. The script is a pure function of
	// Now() minus the time NewLight was called, so a fake clock makes it
	// deterministic.
	Now func() time.Time
}

// Light is the simulated light sensor. Its script, over one Period starting
// when NewLight is called:
//
//	0 %–40 %   day: DayLevel (200)
//	40 %–50 %  dusk: a straight ramp from 200 down to 10
//	50 %–90 %  night: NightLevel (10)
//	90 %–100 % dawn: a ramp from 10 back up to 200
//
// plus a deterministic noise of at most ±Noise that changes once a second.
// The level never goes below 0. SetLight overrides the script.
type Light struct {
	period time.Duration
	now    func() time.Time
	start  time.Time

	mu       sync.Mutex
	override int // -1: follow the script
}

var _ hal.LightSensor = (*Light)(nil)

// NewLight returns a light sensor whose script starts now, at the
// beginning of the day.
func NewLight(opts LightOptions) *Light {
	if opts.Period <= 0 {
		opts.Period = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Light{period: opts.Period, now: opts.Now, start: opts.Now(), override: -1}
}

// SetLight fixes the level at v (clamped to 0–1000); a negative v returns
// to the script.
func (l *Light) SetLight(v int) {
	if v < 0 {
		v = -1
	}
	l.mu.Lock()
	l.override = min(v, 1000)
	l.mu.Unlock()
}

// Light returns the level at the clock's current time. It never fails.
func (l *Light) Light(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	l.mu.Lock()
	o := l.override
	l.mu.Unlock()
	if o >= 0 {
		return o, nil
	}
	return l.At(l.now().Sub(l.start)), nil
}

// At returns the scripted level at elapsed time since the start.
func (l *Light) At(elapsed time.Duration) int {
	if elapsed < 0 {
		elapsed = 0
	}
	phase := float64(elapsed%l.period) / float64(l.period)
	var v float64
	switch {
	case phase < 0.4:
		v = DayLevel
	case phase < 0.5:
		v = DayLevel + (NightLevel-DayLevel)*(phase-0.4)/0.1
	case phase < 0.9:
		v = NightLevel
	default:
		v = NightLevel + (DayLevel-NightLevel)*(phase-0.9)/0.1
	}
	n := int(v+0.5) + noise(uint64(elapsed/time.Second))
	return max(n, 0)
}

// noise maps a second number to -Noise..+Noise (splitmix64 hash).
func noise(sec uint64) int {
	z := sec + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z%(2*Noise+1)) - Noise
}
