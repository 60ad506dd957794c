package motor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/freecam/freecam/internal/hal"
)

// Options configures a Controller. The zero value is usable.
type Options struct {
	// Limits is the largest position; default DefaultMaxX, DefaultMaxY.
	Limits hal.Position
	// Start is the position the motor is believed to be at (for example
	// from the cameraposition file); default 0, 0. It is clamped to Limits.
	Start hal.Position
	// Flipped mirrors relative moves (rtspserver.conf FLIP=ON).
	Flipped bool
}

// Controller implements hal.Motor over a Driver. It is goroutine-safe;
// moves are serialized.
type Controller struct {
	drv    Driver
	limits hal.Position

	moving chan struct{} // a token held for a whole move

	mu      sync.Mutex
	pos     hal.Position
	flipped bool
	cancel  context.CancelCauseFunc // of the running move
}

var _ hal.Motor = (*Controller)(nil)

// NewController returns a Controller over drv. It does not move the motor.
func NewController(drv Driver, opts Options) *Controller {
	if opts.Limits.X <= 0 {
		opts.Limits.X = DefaultMaxX
	}
	if opts.Limits.Y <= 0 {
		opts.Limits.Y = DefaultMaxY
	}
	c := &Controller{drv: drv, limits: opts.Limits, flipped: opts.Flipped, moving: make(chan struct{}, 1)}
	c.pos, _ = c.clamp(opts.Start)
	return c
}

// Limits returns the largest position.
func (c *Controller) Limits() hal.Position { return c.limits }

// Position returns the bookkept position, updated during a move.
func (c *Controller) Position() hal.Position {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pos
}

// SetPosition tells the controller where the motor is, without moving it
// (after a restart, from the cameraposition file). It is clamped to the
// limits.
func (c *Controller) SetPosition(p hal.Position) {
	p, _ = c.clamp(p)
	c.mu.Lock()
	c.pos = p
	c.mu.Unlock()
}

// SetFlipped sets whether relative moves are mirrored.
func (c *Controller) SetFlipped(flipped bool) {
	c.mu.Lock()
	c.flipped = flipped
	c.mu.Unlock()
}

// Stop interrupts the running move, if any.
func (c *Controller) Stop() {
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel(hal.ErrStopped)
	}
	c.mu.Unlock()
}

// Move moves by dx, dy as seen in the picture (+dx right, +dy up); when
// flipped, both are mirrored. See hal.Motor.
func (c *Controller) Move(ctx context.Context, dx, dy int) (hal.Move, error) {
	c.mu.Lock()
	if c.flipped {
		dx, dy = -dx, -dy
	}
	c.mu.Unlock()
	return c.run(ctx, func(from hal.Position) hal.Position {
		return hal.Position{X: from.X + dx, Y: from.Y + dy}
	})
}

// MoveTo goes to p in the motor's frame. See hal.Motor.
func (c *Controller) MoveTo(ctx context.Context, p hal.Position) (hal.Move, error) {
	return c.run(ctx, func(hal.Position) hal.Position { return p })
}

// Calibrate drives each axis past its end (the limit plus a tenth, so a
// motor anywhere reaches its stop), takes that as 0, then goes to the
// centre. Motors without end stops (some newer models) must not be
// calibrated.
func (c *Controller) Calibrate(ctx context.Context) error {
	if err := c.lock(ctx); err != nil {
		return fmt.Errorf("motor: calibrate: %w", err)
	}
	mctx, done := c.begin(ctx)
	for _, a := range []Axis{Pan, Tilt} {
		n := c.limits.X
		if a == Tilt {
			n = c.limits.Y
		}
		n += n / 10
		if _, err := c.drv.Run(mctx, a, -n, func(int) {}); err != nil {
			err = moveErr(mctx, err)
			done()
			c.unlock()
			return fmt.Errorf("motor: calibrate %s: %w", a, err)
		}
	}
	c.mu.Lock()
	c.pos = hal.Position{}
	c.mu.Unlock()
	done()
	c.unlock()
	if _, err := c.MoveTo(ctx, hal.Position{X: c.limits.X / 2, Y: c.limits.Y / 2}); err != nil {
		return fmt.Errorf("motor: calibrate: go to centre: %w", err)
	}
	return nil
}

// lock waits for the running move to end (a channel, not a mutex, so that
// waiting honours ctx).
func (c *Controller) lock(ctx context.Context) error {
	select {
	case c.moving <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Controller) unlock() { <-c.moving }

func (c *Controller) clamp(p hal.Position) (hal.Position, bool) {
	q := hal.Position{X: min(max(p.X, 0), c.limits.X), Y: min(max(p.Y, 0), c.limits.Y)}
	return q, q != p
}

// begin makes the cancellable context of a move; done releases it.
func (c *Controller) begin(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		cancel(nil)
	}
}

// run moves to target(from), X first then Y, as the firmware's preset
// script did.
func (c *Controller) run(ctx context.Context, target func(from hal.Position) hal.Position) (hal.Move, error) {
	if err := c.lock(ctx); err != nil {
		p := c.Position()
		return hal.Move{From: p, To: p}, fmt.Errorf("motor: wait for the previous move: %w", err)
	}
	defer c.unlock()
	ctx, done := c.begin(ctx)
	defer done()

	from := c.Position()
	to, clamped := c.clamp(target(from))
	m := hal.Move{From: from, To: from, Clamped: clamped}
	for _, a := range []Axis{Pan, Tilt} {
		start := c.Position()
		steps := to.X - start.X
		if a == Tilt {
			steps = to.Y - start.Y
		}
		if steps == 0 {
			continue
		}
		sign := 1
		if steps < 0 {
			sign = -1
		}
		set := func(n int) {
			c.mu.Lock()
			if a == Pan {
				c.pos.X = start.X + sign*min(n, sign*steps)
			} else {
				c.pos.Y = start.Y + sign*min(n, sign*steps)
			}
			c.mu.Unlock()
		}
		n, err := c.drv.Run(ctx, a, steps, set)
		set(n)
		if err != nil {
			m.To = c.Position()
			return m, fmt.Errorf("motor: move %s %+d: %w", a, steps, moveErr(ctx, err))
		}
	}
	m.To = c.Position()
	return m, nil
}

// moveErr reports ErrStopped rather than a bare context.Canceled when Stop
// interrupted the move.
func moveErr(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && errors.Is(context.Cause(ctx), hal.ErrStopped) {
		return hal.ErrStopped
	}
	return err
}
