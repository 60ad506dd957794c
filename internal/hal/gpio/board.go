package gpio

import (
	"context"
	"fmt"
	"time"
)

// Output is an output pin of a board: GPIO < 0 means the board has none.
type Output struct {
	GPIO      int
	ActiveLow bool // written to active_low
	OnValue   int  // the value that turns it on
}

// Profile is a board's pin map.
type Profile struct {
	BlueLED, YellowLED, IRLED Output
	// IRCutDay and IRCutNight are the pins pulsed to move the filter in
	// and out; either < 0 means the board has no IR cut.
	IRCutDay, IRCutNight int
}

// Dafang is the pin map of the Xiaomi Dafang and Xiaofang 1S (Ingenic T20),
// from the firmware's run.sh and common_functions.sh: blue LED 39, yellow
// LED 38 (active_low 0; writing 0 turns them on), IR LED 49 (active_low 1;
// writing 0 turns it on), IR cut pulsed through 26 (day) and 25 (night).
func Dafang() Profile {
	return Profile{
		BlueLED:    Output{GPIO: 39, OnValue: 0},
		YellowLED:  Output{GPIO: 38, OnValue: 0},
		IRLED:      Output{GPIO: 49, ActiveLow: true, OnValue: 0},
		IRCutDay:   26,
		IRCutNight: 25,
	}
}

// None is a profile without any pin (a custom board starts from it).
func None() Profile {
	return Profile{BlueLED: Output{GPIO: -1}, YellowLED: Output{GPIO: -1}, IRLED: Output{GPIO: -1}, IRCutDay: -1, IRCutNight: -1}
}

// Config configures Open.
type Config struct {
	Chip    Chip
	Profile Profile
	// Pulse, StateFile and Sleep are passed to the IR cut (IRCutOptions).
	Pulse     time.Duration
	StateFile string
	Sleep     func(ctx context.Context, d time.Duration) error
}

// Board is what Open found; absent outputs are nil.
type Board struct {
	BlueLED, YellowLED, IRLED *Switch
	IRCut                     *IRCut
}

// Open sets up every pin of the profile and puts the outputs in the
// firmware's start-up state (run.sh): IR LED off, IR cut day (a pulse, so
// Open blocks for about Pulse), yellow LED off, blue LED off.
func Open(ctx context.Context, cfg Config) (*Board, error) {
	b := &Board{}
	sw := func(o Output, name string) (*Switch, error) {
		if o.GPIO < 0 {
			return nil, nil
		}
		p, err := cfg.Chip.Output(o.GPIO, o.ActiveLow)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		s, err := NewSwitch(p, o.OnValue)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return s, nil
	}
	var err error
	if b.IRLED, err = sw(cfg.Profile.IRLED, "ir led"); err != nil {
		return nil, err
	}
	if b.YellowLED, err = sw(cfg.Profile.YellowLED, "yellow led"); err != nil {
		return nil, err
	}
	if b.BlueLED, err = sw(cfg.Profile.BlueLED, "blue led"); err != nil {
		return nil, err
	}
	if cfg.Profile.IRCutDay >= 0 && cfg.Profile.IRCutNight >= 0 {
		day, err := cfg.Chip.Output(cfg.Profile.IRCutDay, false)
		if err != nil {
			return nil, fmt.Errorf("ir cut day pin: %w", err)
		}
		night, err := cfg.Chip.Output(cfg.Profile.IRCutNight, false)
		if err != nil {
			return nil, fmt.Errorf("ir cut night pin: %w", err)
		}
		b.IRCut = NewIRCut(IRCutOptions{Day: day, Night: night, Pulse: cfg.Pulse, StateFile: cfg.StateFile, Sleep: cfg.Sleep})
	}
	if b.IRLED != nil {
		if err := b.IRLED.Set(false); err != nil {
			return nil, fmt.Errorf("ir led: %w", err)
		}
	}
	if b.IRCut != nil {
		if err := b.IRCut.SetDay(ctx, true); err != nil {
			return nil, err
		}
	}
	for _, s := range []*Switch{b.YellowLED, b.BlueLED} {
		if s != nil {
			if err := s.Set(false); err != nil {
				return nil, fmt.Errorf("led: %w", err)
			}
		}
	}
	return b, nil
}
