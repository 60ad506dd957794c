package camtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/service"
)

// ErrNoPart is returned for a switch or motor the board does not have (see SetHardware).
var ErrNoPart = errors.New("camtest: the board has no such part")

// Hardware returns the board's state.
func (c *Camera) Hardware() hal.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hw
}

// SetSwitch sets an output. Setting the IR LED or the IR cut switches auto night off (and stops
// the auto-night service), as the real camera does.
func (c *Camera) SetSwitch(ctx context.Context, s camera.Switch, on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("SetSwitch %s %s", s, onOff(on))
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.fail["SetSwitch"]; err != nil {
		return err
	}
	switch s {
	case camera.BlueLED:
		if !c.hw.HasBlueLED {
			return fmt.Errorf("blue led: %w", ErrNoPart)
		}
		c.hw.BlueLED = on
	case camera.YellowLED:
		if !c.hw.HasYellowLED {
			return fmt.Errorf("yellow led: %w", ErrNoPart)
		}
		c.hw.YellowLED = on
	case camera.IRLED:
		if !c.hw.HasIRLED {
			return fmt.Errorf("ir led: %w", ErrNoPart)
		}
		c.hw.IRLED = on
		c.setAuto(false)
	case camera.IRCut:
		if !c.hw.HasIRCut {
			return fmt.Errorf("ir cut: %w", ErrNoPart)
		}
		c.hw.IRCutDay = on
		c.setAuto(false)
	default:
		return fmt.Errorf("switch %q: unknown switch", s)
	}
	return nil
}

// Night returns the night state.
func (c *Camera) Night() camera.NightState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.night
}

// SetNightMode sets day or night by hand (auto off, IR LED and IR cut follow) or auto (the
// auto-night service runs; the current state stays until it decides).
func (c *Camera) SetNightMode(ctx context.Context, m camera.NightMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("SetNightMode %s", m)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.fail["SetNightMode"]; err != nil {
		return err
	}
	switch m {
	case camera.Day, camera.Night:
		c.setAuto(false)
		night := m == camera.Night
		c.night.Night, c.night.Since, c.night.Cause = night, time.Now(), "manual"
		c.hw.IRLED = night && c.hw.HasIRLED
		c.hw.IRCutDay = !night && c.hw.HasIRCut
	case camera.Auto:
		c.setAuto(true)
	default:
		return fmt.Errorf("night mode %q: want day, night or auto", m)
	}
	return nil
}

// setAuto turns auto night on or off through the auto-night service. Called with c.mu held.
func (c *Camera) setAuto(on bool) {
	c.night.Auto = on
	if i := c.service("auto-night"); i >= 0 {
		c.services[i].State = service.Stopped
		if on {
			c.services[i].State = service.Running
		}
		c.services[i].Since = time.Now()
	}
}

// Move moves by dx, dy (+x right, +y up), clamped to 0..MaxX, 0..MaxY, and returns at once.
func (c *Camera) Move(ctx context.Context, dx, dy int) (hal.Move, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("Move %d %d", dx, dy)
	return c.moveTo(ctx, "Move", hal.Position{X: c.hw.Motor.X + dx, Y: c.hw.Motor.Y + dy})
}

// MoveTo goes to p, clamped to the limits.
func (c *Camera) MoveTo(ctx context.Context, p hal.Position) (hal.Move, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("MoveTo %d %d", p.X, p.Y)
	return c.moveTo(ctx, "MoveTo", p)
}

// moveTo is Move and MoveTo. Called with c.mu held.
func (c *Camera) moveTo(ctx context.Context, method string, p hal.Position) (hal.Move, error) {
	if err := ctx.Err(); err != nil {
		return hal.Move{}, err
	}
	if err := c.fail[method]; err != nil {
		return hal.Move{}, err
	}
	if !c.hw.HasMotor {
		return hal.Move{}, fmt.Errorf("motor: %w", ErrNoPart)
	}
	to := hal.Position{X: min(max(p.X, 0), c.hw.MotorLimits.X), Y: min(max(p.Y, 0), c.hw.MotorLimits.Y)}
	m := hal.Move{From: c.hw.Motor, To: to, Clamped: to != p}
	c.hw.Motor = to
	return m, nil
}

// Calibrate goes to the centre of the limits.
func (c *Camera) Calibrate(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("Calibrate")
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.fail["Calibrate"]; err != nil {
		return err
	}
	if !c.hw.HasMotor {
		return fmt.Errorf("motor: %w", ErrNoPart)
	}
	c.hw.Motor = hal.Position{X: c.hw.MotorLimits.X / 2, Y: c.hw.MotorLimits.Y / 2}
	return nil
}

// Motion returns the motion state; Enabled is whether the motion service runs.
func (c *Camera) Motion() camera.MotionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.motion
	if i := c.service("motion"); i >= 0 {
		m.Enabled = c.services[i].State == service.Running
	}
	return m
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
