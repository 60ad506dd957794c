package motor

import (
	"context"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

// SimOptions configures a SimDriver. The zero value is usable.
type SimOptions struct {
	// Limits are the simulated end stops; default DefaultMaxX, DefaultMaxY.
	Limits hal.Position
	// Start is the true starting position of the simulated motor (which
	// the Controller does not know until it calibrates); default 0, 0.
	Start hal.Position
	// StepTime is the time per step; default DefaultStepTime (1.3 ms).
	StepTime time.Duration
}

// SimDriver is a simulated motor with end stops: a move takes StepTime per
// step of real time (so tests use testing/synctest or a short StepTime),
// and a motor driven past an end stop stays there, as the real one stalls.
type SimDriver struct {
	limits   hal.Position
	stepTime time.Duration

	mu  sync.Mutex
	pos hal.Position
}

var _ Driver = (*SimDriver)(nil)

// NewSimDriver returns a simulated motor.
func NewSimDriver(opts SimOptions) *SimDriver {
	if opts.Limits.X <= 0 {
		opts.Limits.X = DefaultMaxX
	}
	if opts.Limits.Y <= 0 {
		opts.Limits.Y = DefaultMaxY
	}
	if opts.StepTime <= 0 {
		opts.StepTime = DefaultStepTime
	}
	d := &SimDriver{limits: opts.Limits, stepTime: opts.StepTime}
	d.pos = hal.Position{X: min(max(opts.Start.X, 0), d.limits.X), Y: min(max(opts.Start.Y, 0), d.limits.Y)}
	return d
}

// True returns the simulated motor's true position.
func (d *SimDriver) True() hal.Position {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pos
}

// simTick is how often a simulated move advances and reports progress.
const simTick = 20 * time.Millisecond

// Run moves in ticks of 20 ms. Steps against an end stop count as done
// (the motor turns but the camera does not move), as on the hardware.
func (d *SimDriver) Run(ctx context.Context, axis Axis, steps int, progress func(done int)) (int, error) {
	total := steps
	sign := 1
	if steps < 0 {
		total, sign = -steps, -1
	}
	perTick := max(int(simTick/d.stepTime), 1)
	t := time.NewTicker(time.Duration(perTick) * d.stepTime)
	defer t.Stop()
	done := 0
	for done < total {
		select {
		case <-ctx.Done():
			return done, ctx.Err()
		case <-t.C:
		}
		n := min(perTick, total-done)
		d.mu.Lock()
		if axis == Pan {
			d.pos.X = min(max(d.pos.X+sign*n, 0), d.limits.X)
		} else {
			d.pos.Y = min(max(d.pos.Y+sign*n, 0), d.limits.Y)
		}
		d.mu.Unlock()
		done += n
		progress(done)
	}
	return done, nil
}

// Close does nothing.
func (d *SimDriver) Close() error { return nil }
