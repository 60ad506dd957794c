// Package sim is the simulated camera board: status LEDs, IR LED and
// IR-cut filter kept in memory, and a light sensor that follows a scripted
// day/night cycle (or a level set through the API). It is the default HAL on
// a machine that is not a known camera. The motor simulation is
// motor.SimDriver.
//
// Everything is goroutine-safe; nothing here starts a goroutine.
package sim

import (
	"context"
	"sync"

	"github.com/freecam/freecam/internal/hal"
)

// Board is the simulated board. The zero value is not usable; call New.
type Board struct {
	mu     sync.Mutex
	blue   bool
	yellow bool
	ir     bool
	day    bool
	light  *Light
}

// New returns a board with every output off, the IR-cut filter in (day)
// and a light sensor built from opts.
func New(opts LightOptions) *Board {
	return &Board{day: true, light: NewLight(opts)}
}

// Parts returns the board's capabilities for hal.NewDevice.
func (b *Board) Parts() hal.Parts {
	return hal.Parts{
		Board:     "sim",
		BlueLED:   &simSwitch{b: b, v: &b.blue},
		YellowLED: &simSwitch{b: b, v: &b.yellow},
		IRLED:     &simSwitch{b: b, v: &b.ir},
		IRCut:     &simIRCut{b: b},
		Light:     b.light,
	}
}

// Light returns the board's light sensor (for SetLight from the API).
func (b *Board) Light() *Light { return b.light }

type simSwitch struct {
	b *Board
	v *bool
}

var _ hal.Switch = (*simSwitch)(nil)

func (s *simSwitch) Set(on bool) error {
	s.b.mu.Lock()
	*s.v = on
	s.b.mu.Unlock()
	return nil
}

func (s *simSwitch) On() bool {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return *s.v
}

type simIRCut struct{ b *Board }

var _ hal.IRCut = (*simIRCut)(nil)

// SetDay switches at once (no pulse), unless ctx has already ended.
func (c *simIRCut) SetDay(ctx context.Context, day bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.b.mu.Lock()
	c.b.day = day
	c.b.mu.Unlock()
	return nil
}

func (c *simIRCut) Day() bool {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	return c.b.day
}
