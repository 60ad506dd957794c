package gpio

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

// Switch is an LED on one pin. It is goroutine-safe.
type Switch struct {
	pin     *Pin
	onValue int

	mu sync.Mutex
	on bool
}

var _ hal.Switch = (*Switch)(nil)

// NewSwitch drives pin; onValue is the value that turns it on (0 for the
// Dafang's LEDs and IR LED). Its state is read from the pin.
func NewSwitch(pin *Pin, onValue int) (*Switch, error) {
	v, err := pin.Read()
	if err != nil {
		return nil, err
	}
	return &Switch{pin: pin, onValue: onValue, on: v == onValue}, nil
}

// Set writes the on or off value.
func (s *Switch) Set(on bool) error {
	v := s.onValue
	if !on {
		v = 1 - s.onValue
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pin.Write(v); err != nil {
		return err
	}
	s.on = on
	return nil
}

// On reports the last state set (or read at start).
func (s *Switch) On() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on
}

// IRCutOptions configures an IRCut.
type IRCutOptions struct {
	// Day and Night are the pins that pulse the filter in and out (Dafang:
	// 26 and 25).
	Day, Night *Pin
	// Pulse is how long a pin is held; default 1 s, as the firmware did.
	Pulse time.Duration
	// StateFile, if set, gets "1" (day) or "0" (night) after each switch,
	// like the firmware's /var/run/ircut.
	StateFile string
	// Sleep waits d or until ctx ends; default a timer. Tests replace it
	// to look at the pins during the pulse.
	Sleep func(ctx context.Context, d time.Duration) error
}

// IRCut is the bistable IR-cut filter of the Dafang: day pulses the day
// pin high with the night pin low, night the reverse; both rest at 0.
// Its position cannot be read back: it is what was last set. It is
// goroutine-safe; switches are serialized.
type IRCut struct {
	opts IRCutOptions

	pulse sync.Mutex // held for a whole switch
	mu    sync.Mutex // guards day
	day   bool
}

var _ hal.IRCut = (*IRCut)(nil)

// NewIRCut returns the filter, believed to be in day position; call
// SetDay to be sure of it (the firmware pulsed it to day at boot).
func NewIRCut(opts IRCutOptions) *IRCut {
	if opts.Pulse <= 0 {
		opts.Pulse = time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	return &IRCut{opts: opts, day: true}
}

// SetDay runs the firmware's sequence. Day (ir_cut on): night pin 0, day
// pin 1, wait Pulse, day pin 0. Night (ir_cut off): day pin 0, night pin 1,
// wait Pulse, night pin 0. The pulsed pin is always returned to 0, even
// when ctx ends during the pulse (then the state is left unchanged and the
// error returned).
func (c *IRCut) SetDay(ctx context.Context, day bool) error {
	c.pulse.Lock()
	defer c.pulse.Unlock()
	on, off := c.opts.Day, c.opts.Night
	if !day {
		on, off = off, on
	}
	if err := off.Write(0); err != nil {
		return fmt.Errorf("ir cut: %w", err)
	}
	if err := on.Write(1); err != nil {
		on.Write(0)
		return fmt.Errorf("ir cut: %w", err)
	}
	serr := c.opts.Sleep(ctx, c.opts.Pulse)
	if err := on.Write(0); err != nil {
		return fmt.Errorf("ir cut: end of pulse: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("ir cut: %w", serr)
	}
	c.mu.Lock()
	c.day = day
	c.mu.Unlock()
	if c.opts.StateFile != "" {
		v := "0\n"
		if day {
			v = "1\n"
		}
		if err := os.WriteFile(c.opts.StateFile, []byte(v), 0o644); err != nil {
			return fmt.Errorf("ir cut: state file: %w", err)
		}
	}
	return nil
}

// Day reports the last position set.
func (c *IRCut) Day() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.day
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
