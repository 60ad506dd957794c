package camtest

import (
	"context"
	"errors"
	"time"

	"github.com/freecam/freecam/internal/camera"
)

// Update returns the update state: configured, running "camtest", nothing checked yet, until
// SetUpdate, UpdateCheck or UpdateApply change it.
func (c *Camera) Update() camera.UpdateState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.update
	if s.LastRollback != nil {
		r := *s.LastRollback
		s.LastRollback = &r
	}
	return s
}

// SetUpdate replaces the update state (to show an available release, a download at some
// percentage, an error …).
func (c *Camera) SetUpdate(s camera.UpdateState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.update = s
}

// UpdateCheck records "UpdateCheck" and stamps LastCheck; with Fail("UpdateCheck", err) it
// returns err and shows it as the state's Error. It refuses while an install runs.
func (c *Camera) UpdateCheck(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("UpdateCheck")
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.update.InProgress {
		return errors.New("an update is being installed")
	}
	if err := c.fail["UpdateCheck"]; err != nil {
		c.update.Error = err.Error()
		return err
	}
	c.update.Error, c.update.LastCheck = "", time.Now()
	return nil
}

// UpdateApply records "UpdateApply" and marks an install as started (InProgress, 0 %); the
// test moves it on with SetUpdate. With Fail("UpdateApply", err) it returns err. It refuses
// while one runs.
func (c *Camera) UpdateApply(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("UpdateApply")
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.fail["UpdateApply"]; err != nil {
		return err
	}
	if c.update.InProgress {
		return errors.New("an update is already being installed")
	}
	c.update.InProgress, c.update.Percentage, c.update.Error = true, 0, ""
	return nil
}
