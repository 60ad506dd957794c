package hal_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/sim"
)

type countCloser struct{ n *int }

func (c countCloser) Close() error { *c.n++; return errors.New("boom") }

type badSwitch struct{}

func (badSwitch) Set(bool) error { return errors.New("write failed") }
func (badSwitch) On() bool       { return false }

func TestDeviceStateAndHooks(t *testing.T) {
	sp := sim.New(sim.LightOptions{}).Parts()
	closed := 0
	var got []hal.State
	d := hal.NewDevice(hal.Parts{
		Board: "test", BlueLED: sp.BlueLED, YellowLED: badSwitch{}, IRCut: sp.IRCut, Light: sp.Light,
		Closers: []io.Closer{countCloser{&closed}},
	}, func(s hal.State) { got = append(got, s) })

	s := d.State()
	if s.Board != "test" || !s.HasBlueLED || !s.HasYellowLED || s.HasIRLED || !s.HasIRCut || s.HasMotor || !s.HasLight || !s.IRCutDay || s.Light != -1 {
		t.Errorf("got initial state %+v", s)
	}
	if d.IRLED != nil || d.Motor != nil {
		t.Error("absent capabilities are not nil")
	}
	if err := d.BlueLED.Set(true); err != nil {
		t.Fatal(err)
	}
	if err := d.YellowLED.Set(true); err == nil {
		t.Error("got no error from a failing switch")
	}
	if err := d.IRCut.SetDay(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].BlueLED || !got[0].IRCutDay || got[1].IRCutDay {
		t.Errorf("got changes %+v, want blue on, then IR cut night (no call for the failed set)", got)
	}
	if _, err := d.Light.Light(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := d.State(); s.Light < 190 {
		t.Errorf("got light %d after a read, want the day level", s.Light)
	}
	if err := d.Close(); err == nil || closed != 1 {
		t.Errorf("got %v with %d closes, want the closer's error once", err, closed)
	}
	if err := d.Close(); err != nil || closed != 1 {
		t.Errorf("second Close: got %v with %d closes, want nil and no more closes", err, closed)
	}
}
