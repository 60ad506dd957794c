package night

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/event"
)

// Causes of a switch, as they appear in event.Event.Cause.
const (
	CauseAuto   = "auto"
	CauseManual = "manual"
)

// Defaults of Options (the firmware's hw autonight: 40/45, a sample every 10 s, window of 5).
const (
	DefaultNightAt  = 40
	DefaultDayAt    = 45
	DefaultInterval = 10 * time.Second
	DefaultWindow   = 5
	DefaultMinDwell = 60 * time.Second
	DefaultConfirm  = 2 * time.Minute
)

// Options configures a Controller. The zero value (plus a Sensor for auto mode) is the firmware's
// hardware auto night with a 60 s minimum dwell, starting in auto mode.
type Options struct {
	// Sensor gives the light level for auto mode. Nil: only manual switching (Run fails).
	Sensor LightSensor
	// The hardware and the picture; a nil part is skipped (a camera without an IR LED …).
	IRCut IRCut
	IRLED IRLED
	Look  Look
	// Bus receives NightOn/NightOff on every switch; nil publishes nothing.
	Bus *event.Bus
	// Log gets one line per switch and per sensor failure (not per sample); nil discards.
	Log *slog.Logger

	// IRLEDOff keeps the IR LED off at night (autonight.conf ir_led_off: behind glass).
	IRLEDOff bool
	// Manual starts in manual mode (autonight_mode=off); default auto.
	Manual bool
	// Night starts in night mode (a controller rebuilt on a config reload takes over the
	// running camera's state instead of switching it to day); default day, like the firmware.
	// A manual night (Manual set too) stays manual; going back to auto passes through day.
	// Calibrated is the previous controller's measured leave-night threshold (State's
	// LeaveNightAt) so that, in virtual mode, Run need not pass through day to measure again.
	Night      bool
	Calibrated float64

	// NightAt: switch to night when the window's average is at or below it. Default 40.
	NightAt float64
	// DayAt: switch to day when the window's average (taken in day look) is at or above it.
	// Must be above NightAt: the gap is the hysteresis. Default 45.
	DayAt float64
	// LeaveNightAt is the day threshold while in night mode, where the night look (IR LED,
	// open IR cut, ISP night mode) changes what a picture-based sensor measures. 0: DayAt, or,
	// with SensorSeesPicture, calibrated at each switch to night (see Controller).
	LeaveNightAt float64
	// SensorSeesPicture says the level is measured on the picture (Virtual), so it changes with
	// the night look itself. It turns on the calibration of LeaveNightAt, and a return to auto
	// mode while in night passes through day to measure the day look again.
	SensorSeesPicture bool

	// Interval between samples. Default 10 s.
	Interval time.Duration
	// Reads is how many sensor reads are averaged into one sample (the firmware's -a, 25 for
	// the ADC). Default 1.
	Reads int
	// Window is how many samples are averaged before comparing with the thresholds. Default 5.
	Window int
	// Confirm is how long the window's average must stay past a threshold (at every sample)
	// before a switch. Default 2 min; negative means none (the firmware switched on the first
	// average past the threshold, which flaps ~140 times a day on a level wandering ±5 around 42:
	// see TestNoiseAroundTheThresholdDoesNotFlap).
	Confirm time.Duration
	// MinDwell is the shortest time between two switches in auto mode (manual switches are
	// never held). Default 60 s; negative means none.
	MinDwell time.Duration
}

func (o Options) withDefaults() Options {
	if o.NightAt == 0 && o.DayAt == 0 {
		o.NightAt, o.DayAt = DefaultNightAt, DefaultDayAt
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Reads <= 0 {
		o.Reads = 1
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	switch {
	case o.Confirm == 0:
		o.Confirm = DefaultConfirm
	case o.Confirm < 0:
		o.Confirm = 0
	}
	switch {
	case o.MinDwell == 0:
		o.MinDwell = DefaultMinDwell
	case o.MinDwell < 0:
		o.MinDwell = 0
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// State is what the UI and MQTT show.
type State struct {
	Night bool // night mode is on
	Auto  bool // auto mode is chosen (it acts while Run runs)
	// Level is the last sample (0 before the first), at LevelTime. Average is the window's
	// average, valid when AverageOK (the window is full).
	Level     float64
	LevelTime time.Time
	Average   float64
	AverageOK bool
	// LeaveNightAt is the day threshold in force while in night (0 in day or while calibrating).
	LeaveNightAt float64
	LastSwitch   time.Time // zero before the first switch
	Cause        string    // cause of the last switch
	SensorErrors uint64    // failed samples since New
}

// Controller switches between day and night. All methods are safe for concurrent use; Run runs
// at most once at a time.
//
// Auto mode: every Interval, Run takes a sample (Reads sensor reads averaged) into a window of
// Window samples. When the window is full its average decides: night when at or below NightAt,
// day when at or above the day threshold (DayAt in day look; LeaveNightAt in night), once the
// average has stayed past the threshold for Confirm, and never sooner than MinDwell after the
// previous switch. The
// window restarts empty after every switch and every change of mode, so an average never mixes
// day-look and night-look samples. The first decision after auto mode (re)starts is held by
// neither Confirm nor MinDwell: it is the "start from the first reading" (the firmware started
// in day and switched after its first full window).
//
// Picture-based sensors (SensorSeesPicture): the night look changes the measured level (the IR
// LED lights the scene, the grey night look of the synthetic scene is darker), so comparing the
// night picture with DayAt would either never leave night or leave it at once and oscillate.
// Unless LeaveNightAt is set, the first full window after an automatic switch to night is
// taken as the night-look level B of an ambient light at NightAt, and night is left when the
// level reaches max(B·DayAt/NightAt, B+DayAt−NightAt): the same relative and absolute
// hysteresis as in day, applied to the night look. A return to auto mode while in night (after a
// manual switch) first switches to day, like the firmware's software method, to measure again.
type Controller struct {
	opts    Options
	running atomic.Bool

	switchMu sync.Mutex // serializes switches (hardware calls can take a second)

	mu        sync.Mutex // guards the fields below; never held across hardware calls
	night     bool
	auto      bool
	fresh     bool // the next decision ignores MinDwell
	carried   bool // started in night taken over from a previous controller (Options.Night)
	window    []float64
	wpos, wn  int
	pending   bool      // the average has been past a threshold at every sample since since
	since     time.Time // first sample of the current run past the threshold
	leaveAt   float64
	level     float64
	levelAt   time.Time
	avg       float64
	avgOK     bool
	last      time.Time
	cause     string
	sensorErr uint64
	failing   bool
}

// New returns a controller in day mode, auto unless Options.Manual. It starts nothing and
// touches no hardware until Run or SetNight.
func New(opts Options) (*Controller, error) {
	o := opts.withDefaults()
	if o.DayAt <= o.NightAt {
		return nil, fmt.Errorf("night: day threshold %g must be above the night threshold %g", o.DayAt, o.NightAt)
	}
	if o.LeaveNightAt < 0 {
		return nil, fmt.Errorf("night: leave-night threshold %g must not be negative", o.LeaveNightAt)
	}
	return &Controller{opts: o, auto: !o.Manual, night: o.Night, carried: o.Night, leaveAt: o.Calibrated, fresh: true, window: make([]float64, o.Window)}, nil
}

// State returns a copy of the current state.
func (c *Controller) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := State{
		Night: c.night, Auto: c.auto,
		Level: c.level, LevelTime: c.levelAt, Average: c.avg, AverageOK: c.avgOK,
		LastSwitch: c.last, Cause: c.cause, SensorErrors: c.sensorErr,
	}
	if c.night {
		s.LeaveNightAt = c.leaveAtLocked()
	}
	return s
}

// SetNight switches to night (on) or day at once (blocking for the IR cut's move, or until ctx
// ends) and suspends auto mode until SetAuto(true).
// cause goes into the event ("manual" when empty). The hardware is set even when the mode does
// not change (it re-syncs an IR cut moved by hand); an event is published only on a change. It
// returns the hardware errors, after switching every part it could.
func (c *Controller) SetNight(ctx context.Context, on bool, cause string) error {
	if cause == "" {
		cause = CauseManual
	}
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.mu.Lock()
	c.auto = false
	c.resetLocked()
	c.mu.Unlock()
	return c.switchLocked(ctx, on, cause, true)
}

// SetAuto turns auto mode on or off. Turning it on restarts the window, makes the next decision
// ignore MinDwell and, with a picture-based sensor in night without a calibration, switches to
// day first (see Controller; ctx bounds that switch). Auto mode acts only while Run runs.
func (c *Controller) SetAuto(ctx context.Context, on bool) error {
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.mu.Lock()
	was := c.auto
	c.auto = on
	if on && !was {
		c.resetLocked()
		c.fresh = true
	}
	toDay := on && !was && c.night && c.opts.SensorSeesPicture && c.opts.LeaveNightAt == 0 && c.leaveAt == 0
	c.mu.Unlock()
	if toDay {
		return c.switchLocked(ctx, false, CauseAuto, false)
	}
	return nil
}

// Run is auto mode's sampling loop: it sets the hardware to the current mode, then samples every
// Interval (the first sample at once) until ctx ends, and returns nil. It fails at once without
// a Sensor or when Run is already running. Samples taken while auto mode is off are recorded in
// State but decide nothing.
func (c *Controller) Run(ctx context.Context) error {
	if c.opts.Sensor == nil {
		return errors.New("night: auto mode needs a light sensor")
	}
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("night: controller already running")
	}
	defer c.running.Store(false)

	c.switchMu.Lock()
	c.mu.Lock()
	// A night set by hand (possibly in daylight) must be left through day to measure the
	// ambient light; a night carried over from an automatic switch was measured dark already
	// and calibrates from the night picture at the next samples, like after any switch.
	night, auto, calibrated, carried := c.night, c.auto, c.leaveAt != 0, c.carried
	c.carried = false
	c.fresh = true
	c.resetLocked()
	c.mu.Unlock()
	if auto && night && c.opts.SensorSeesPicture && c.opts.LeaveNightAt == 0 && !calibrated && !carried {
		c.switchLocked(ctx, false, CauseAuto, false)
	} else if err := c.apply(ctx, night); err != nil {
		c.opts.Log.Warn("night: set hardware", "night", night, "err", err)
	}
	c.switchMu.Unlock()

	tick := time.NewTicker(c.opts.Interval)
	defer tick.Stop()
	for {
		c.sample(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// sample takes one sample and, in auto mode, decides.
func (c *Controller) sample(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	level, err := c.read(ctx)
	now := time.Now()

	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.mu.Lock()
	if err != nil {
		c.sensorErr++
		noPicture := errors.Is(err, ErrNoPicture)
		first := !c.failing && !noPicture
		if !noPicture {
			c.failing = true
		}
		c.mu.Unlock()
		switch {
		case noPicture:
			// Normal for the first moments after start: the source has not delivered yet.
			c.opts.Log.Debug("night: no picture yet; auto mode waits for one")
		case first:
			c.opts.Log.Warn("night: light sensor failed; auto mode waits for it", "err", err)
		}
		return
	}
	if c.failing {
		c.failing = false
		c.opts.Log.Info("night: light sensor works again")
	}
	c.level, c.levelAt = level, now
	if !c.auto {
		c.mu.Unlock()
		return
	}
	c.window[c.wpos] = level
	c.wpos = (c.wpos + 1) % len(c.window)
	if c.wn < len(c.window) {
		c.wn++
	}
	if c.wn < len(c.window) {
		c.mu.Unlock()
		return
	}
	var sum float64
	for _, v := range c.window {
		sum += v
	}
	avg := sum / float64(len(c.window))
	c.avg, c.avgOK = avg, true

	if c.night && c.opts.SensorSeesPicture && c.opts.LeaveNightAt == 0 && c.leaveAt == 0 {
		// First night-look window after an automatic switch: calibrate.
		c.leaveAt = max(avg*c.opts.DayAt/c.opts.NightAt, avg+c.opts.DayAt-c.opts.NightAt)
		c.fresh = false
		c.mu.Unlock()
		return
	}
	var want bool
	if c.night {
		want = avg < c.leaveAtLocked() // stay in night unless bright enough
	} else {
		want = avg <= c.opts.NightAt
	}
	if want == c.night {
		c.pending = false
		c.fresh = false
		c.mu.Unlock()
		return
	}
	if !c.pending {
		c.pending, c.since = true, now
	}
	held := !c.fresh && (now.Sub(c.since) < c.opts.Confirm ||
		!c.last.IsZero() && now.Sub(c.last) < c.opts.MinDwell)
	if held {
		c.mu.Unlock()
		return
	}
	c.fresh = false
	c.mu.Unlock()
	c.switchLocked(ctx, want, CauseAuto, false)
}

// leaveAtLocked is the day threshold while in night.
func (c *Controller) leaveAtLocked() float64 {
	switch {
	case c.opts.LeaveNightAt > 0:
		return c.opts.LeaveNightAt
	case c.opts.SensorSeesPicture:
		return c.leaveAt // 0 while calibrating
	}
	return c.opts.DayAt
}

// read averages Reads sensor reads.
func (c *Controller) read(ctx context.Context) (float64, error) {
	var sum float64
	for range c.opts.Reads {
		v, err := c.opts.Sensor.Light(ctx)
		if err != nil {
			return 0, fmt.Errorf("night: read light level: %w", err)
		}
		sum += float64(v)
	}
	return sum / float64(c.opts.Reads), nil
}

// resetLocked empties the window.
func (c *Controller) resetLocked() {
	c.wpos, c.wn, c.pending = 0, 0, false
	c.avgOK = false
}

// switchLocked sets the hardware and the state, and publishes on a change. The caller holds
// switchMu, not mu.
func (c *Controller) switchLocked(ctx context.Context, night bool, cause string, manual bool) error {
	err := c.apply(ctx, night)
	now := time.Now()
	c.mu.Lock()
	changed := c.night != night
	c.night = night
	c.resetLocked()
	c.leaveAt = 0
	if changed {
		c.last, c.cause = now, cause
	}
	c.mu.Unlock()
	if err != nil {
		c.opts.Log.Warn("night: switch hardware", "night", night, "cause", cause, "err", err)
	}
	if !changed {
		return err
	}
	c.opts.Log.Info("night: switched", "night", night, "cause", cause, "manual", manual)
	if c.opts.Bus != nil {
		kind := event.NightOff
		if night {
			kind = event.NightOn
		}
		c.opts.Bus.Publish(event.Event{Kind: kind, Time: now, Cause: cause})
	}
	return err
}

// apply drives the hardware: night = IR cut away, IR LED on (unless IRLEDOff), night look; day
// the reverse. It sets every part and joins the errors.
func (c *Controller) apply(ctx context.Context, night bool) error {
	var errs []error
	if c.opts.IRCut != nil {
		if err := c.opts.IRCut.SetDay(ctx, !night); err != nil {
			errs = append(errs, fmt.Errorf("ir cut: %w", err))
		}
	}
	if c.opts.IRLED != nil {
		if err := c.opts.IRLED.Set(night && !c.opts.IRLEDOff); err != nil {
			errs = append(errs, fmt.Errorf("ir led: %w", err))
		}
	}
	if c.opts.Look != nil {
		c.opts.Look.SetNight(night)
	}
	return errors.Join(errs...)
}
