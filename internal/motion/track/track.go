// Package track follows motion with the pan/tilt motor (motion.conf motion_tracking), as the
// firmware's detectionTracking.sh did: when the motion's centre is off to one side of the
// picture, the camera turns that way by a fixed number of steps, and after motion_timeout
// seconds without motion it returns to where it was.
//
// The firmware split the picture into four quadrants and moved STEP=100 towards the active
// half. freecam splits it into thirds: motion in the middle third (of either axis) does not
// move the camera on that axis, so a subject in the centre is not chased back and forth.
//
// A Tracker's moves run on the goroutine of Run; Motion and End only record what the detector
// saw and never block, so the detector is not slowed by the motor.
package track

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

// Firmware and freecam defaults.
const (
	DefaultStep   = 100         // steps per move: the firmware script's STEP
	DefaultSettle = time.Second // motion ignored after a move: the picture itself moved
)

// Options configures a Tracker. The zero value is usable.
type Options struct {
	// Step is the number of motor steps of one move; default DefaultStep (100).
	Step int
	// ReturnAfter is motion_timeout: the camera goes back to the origin this long after the
	// last motion. 0 or negative (the firmware's -1) means never.
	ReturnAfter time.Duration
	// Origin is where the camera returns to, in the motor's frame (for example the firmware's
	// cameraposition file). Nil means the motor's position before the first move of each
	// excursion, so a camera aimed by hand between events returns to its new aim.
	Origin *hal.Position
	// Settle is how long after a move ends motion is not followed: the picture changes as the
	// camera turns, and the detector needs a moment to relearn. Default DefaultSettle (1 s);
	// negative means none.
	Settle time.Duration
	// Logger receives a debug line per move and warnings for failed moves; nil discards.
	Logger *slog.Logger
}

// Tracker turns the motor towards motion. Motion and End are safe from any goroutine; Run
// performs the moves.
type Tracker struct {
	motor hal.Motor
	opts  Options
	log   *slog.Logger
	wake  chan struct{}

	mu          sync.Mutex
	dx, dy      int  // the pending move, picture-relative
	pending     bool // a move waits for Run
	moving      bool // Run is moving the motor
	lastMotion  time.Time
	settleUntil time.Time
	away        bool         // moved since the last return to the origin
	origin      hal.Position // valid while away
}

// New returns a Tracker for motor. It starts nothing: call Run.
func New(motor hal.Motor, opts Options) *Tracker {
	if opts.Step <= 0 {
		opts.Step = DefaultStep
	}
	if opts.Settle == 0 {
		opts.Settle = DefaultSettle
	} else if opts.Settle < 0 {
		opts.Settle = 0
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{motor: motor, opts: opts, log: log, wake: make(chan struct{}, 1)}
}

// Direction returns the move, in steps as seen in the picture (+dx right, +dy up), that
// Motion makes for motion in box on a frameW×frameH picture: Step towards the side third the
// box's centre is in, 0 on an axis where it is in the middle third.
func (t *Tracker) Direction(box image.Rectangle, frameW, frameH int) (dx, dy int) {
	if box.Empty() || frameW <= 0 || frameH <= 0 {
		return 0, 0
	}
	cx, cy := box.Min.X+box.Max.X, box.Min.Y+box.Max.Y // twice the centre
	switch {
	case 3*cx < 2*frameW:
		dx = -t.opts.Step
	case 3*cx > 4*frameW:
		dx = t.opts.Step
	}
	switch {
	case 3*cy < 2*frameH: // the top of the picture: up
		dy = t.opts.Step
	case 3*cy > 4*frameH:
		dy = -t.opts.Step
	}
	return dx, dy
}

// Motion reports the motion in box (stream pixels of a frameW×frameH picture) of one detector
// result during an event. It never blocks: while a move runs, or during the settle time after
// it, the camera does not follow (moves are never queued), but the motion still delays the
// return to the origin.
func (t *Tracker) Motion(box image.Rectangle, frameW, frameH int) {
	if box.Empty() {
		return
	}
	dx, dy := t.Direction(box, frameW, frameH)
	now := time.Now()
	t.mu.Lock()
	t.lastMotion = now
	if (dx != 0 || dy != 0) && !t.moving && !now.Before(t.settleUntil) {
		t.dx, t.dy, t.pending = dx, dy, true
	}
	t.mu.Unlock()
	t.poke()
}

// End reports the end of a motion event: a move not yet started is dropped. The return to the
// origin is counted from the last Motion.
func (t *Tracker) End() {
	t.mu.Lock()
	t.pending = false
	t.mu.Unlock()
	t.poke()
}

func (t *Tracker) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Run performs the moves until ctx ends, then returns nil. The motor is left where it is. Run
// must be called once.
func (t *Tracker) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.wake:
		case <-timer.C:
		}
		for t.step(ctx) {
		}
		if ctx.Err() != nil {
			return nil
		}
		t.arm(timer)
	}
}

// arm sets timer to the time of the return to the origin, or stops it.
func (t *Tracker) arm(timer *time.Timer) {
	t.mu.Lock()
	due := t.lastMotion.Add(t.opts.ReturnAfter)
	armed := t.away && t.opts.ReturnAfter > 0
	t.mu.Unlock()
	if !armed {
		timer.Stop()
		return
	}
	timer.Reset(max(time.Until(due), 0))
}

// step makes the pending move or the due return; false when there was nothing to do.
func (t *Tracker) step(ctx context.Context) bool {
	t.mu.Lock()
	var back bool
	switch {
	case t.pending:
		if !t.away {
			t.origin = t.motor.Position()
			if t.opts.Origin != nil {
				t.origin = *t.opts.Origin
			}
			t.away = true
		}
	case t.away && t.opts.ReturnAfter > 0 && time.Since(t.lastMotion) >= t.opts.ReturnAfter:
		back = true
	default:
		t.mu.Unlock()
		return false
	}
	dx, dy, origin := t.dx, t.dy, t.origin
	t.pending, t.moving = false, true
	t.mu.Unlock()

	var m hal.Move
	var err error
	if back {
		m, err = t.motor.MoveTo(ctx, origin)
	} else {
		m, err = t.motor.Move(ctx, dx, dy)
	}

	t.mu.Lock()
	t.moving = false
	t.settleUntil = time.Now().Add(t.opts.Settle)
	switch {
	case back && err == nil:
		t.away = false
	case back:
		t.lastMotion = time.Now() // try again after another ReturnAfter, not in a loop
	}
	t.mu.Unlock()

	switch {
	case ctx.Err() != nil:
		return false
	case err != nil && !errors.Is(err, hal.ErrStopped):
		t.log.Warn("motion tracking: move failed", "return", back, "dx", dx, "dy", dy, "err", err)
	case err == nil:
		t.log.Debug("motion tracking: moved", "return", back, "from", m.From, "to", m.To, "clamped", m.Clamped)
	}
	return err == nil
}
