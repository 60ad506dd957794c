package hal

import (
	"context"
	"errors"
	"io"
	"sync"
)

// Parts is what a backend found on the board; nil means absent.
type Parts struct {
	Board     string // board name for the UI ("sim", "dafang" …)
	BlueLED   Switch
	YellowLED Switch
	IRLED     Switch
	IRCut     IRCut
	Motor     Motor
	Light     LightSensor
	// Closers are closed by Device.Close, last first (open devices, files).
	Closers []io.Closer
}

// State is a snapshot of the board for the UI, the API and MQTT. The Has
// fields say which capabilities exist; the values of absent ones are zero.
type State struct {
	Board string `json:"board"`

	HasBlueLED   bool `json:"has_blue_led"`
	HasYellowLED bool `json:"has_yellow_led"`
	HasIRLED     bool `json:"has_ir_led"`
	HasIRCut     bool `json:"has_ir_cut"`
	HasMotor     bool `json:"has_motor"`
	HasLight     bool `json:"has_light_sensor"`

	BlueLED   bool `json:"blue_led"`
	YellowLED bool `json:"yellow_led"`
	IRLED     bool `json:"ir_led"`
	// IRCutDay is true when the IR-cut filter is in (day picture).
	IRCutDay bool `json:"ir_cut_day"`
	// Motor is the motor's position; MotorLimits its largest position.
	Motor       Position `json:"motor"`
	MotorLimits Position `json:"motor_limits"`
	// Light is the last level read through Device.Light, -1 before the
	// first read or after a failed one.
	Light int `json:"light"`
}

// Device is the capabilities a board has. A nil field means the board does
// not have that capability. The fields are set once by NewDevice and never
// change, so reading them is goroutine-safe; the capabilities themselves
// are goroutine-safe.
//
// The Device wraps each capability so that every successful change of an
// LED, the IR LED, the IR cut or the motor position (at the end of a move)
// calls the onChange hook given to NewDevice, and so that State can report
// the last light level without reading the sensor.
type Device struct {
	Board     string
	BlueLED   Switch
	YellowLED Switch
	IRLED     Switch
	IRCut     IRCut
	Motor     Motor
	Light     LightSensor

	onChange func(State)
	closers  []io.Closer

	mu        sync.Mutex
	lastLight int
	closed    bool
}

// NewDevice builds a Device from the parts a backend found. onChange, if
// not nil, is called with the new State after every change made through the
// Device's fields, on the goroutine that made it; it must not block for
// long and must not call back into a Set of the same Device.
func NewDevice(p Parts, onChange func(State)) *Device {
	d := &Device{Board: p.Board, onChange: onChange, closers: p.Closers, lastLight: -1}
	if p.BlueLED != nil {
		d.BlueLED = &notifySwitch{Switch: p.BlueLED, d: d}
	}
	if p.YellowLED != nil {
		d.YellowLED = &notifySwitch{Switch: p.YellowLED, d: d}
	}
	if p.IRLED != nil {
		d.IRLED = &notifySwitch{Switch: p.IRLED, d: d}
	}
	if p.IRCut != nil {
		d.IRCut = &notifyIRCut{IRCut: p.IRCut, d: d}
	}
	if p.Motor != nil {
		d.Motor = &notifyMotor{Motor: p.Motor, d: d}
	}
	if p.Light != nil {
		d.Light = &cachingLight{LightSensor: p.Light, d: d}
	}
	return d
}

// State returns a snapshot. It does not block on hardware: LEDs and the IR
// cut report their last set state, the motor its bookkept position and the
// light the last level read.
func (d *Device) State() State {
	s := State{Board: d.Board, Light: -1}
	if d.BlueLED != nil {
		s.HasBlueLED, s.BlueLED = true, d.BlueLED.On()
	}
	if d.YellowLED != nil {
		s.HasYellowLED, s.YellowLED = true, d.YellowLED.On()
	}
	if d.IRLED != nil {
		s.HasIRLED, s.IRLED = true, d.IRLED.On()
	}
	if d.IRCut != nil {
		s.HasIRCut, s.IRCutDay = true, d.IRCut.Day()
	}
	if d.Motor != nil {
		s.HasMotor, s.Motor, s.MotorLimits = true, d.Motor.Position(), d.Motor.Limits()
	}
	if d.Light != nil {
		s.HasLight = true
		d.mu.Lock()
		s.Light = d.lastLight
		d.mu.Unlock()
	}
	return s
}

// Close stops the motor and releases the backend's devices. It is safe to
// call more than once.
func (d *Device) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	if d.Motor != nil {
		d.Motor.Stop()
	}
	var errs []error
	for i := len(d.closers) - 1; i >= 0; i-- {
		if err := d.closers[i].Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (d *Device) changed() {
	if d.onChange != nil {
		d.onChange(d.State())
	}
}

type notifySwitch struct {
	Switch
	d *Device
}

func (n *notifySwitch) Set(on bool) error {
	if err := n.Switch.Set(on); err != nil {
		return err
	}
	n.d.changed()
	return nil
}

type notifyIRCut struct {
	IRCut
	d *Device
}

func (n *notifyIRCut) SetDay(ctx context.Context, day bool) error {
	if err := n.IRCut.SetDay(ctx, day); err != nil {
		return err
	}
	n.d.changed()
	return nil
}

type notifyMotor struct {
	Motor
	d *Device
}

func (n *notifyMotor) Move(ctx context.Context, dx, dy int) (Move, error) {
	m, err := n.Motor.Move(ctx, dx, dy)
	if m.To != m.From {
		n.d.changed()
	}
	return m, err
}

func (n *notifyMotor) MoveTo(ctx context.Context, p Position) (Move, error) {
	m, err := n.Motor.MoveTo(ctx, p)
	if m.To != m.From {
		n.d.changed()
	}
	return m, err
}

func (n *notifyMotor) Calibrate(ctx context.Context) error {
	err := n.Motor.Calibrate(ctx)
	n.d.changed()
	return err
}

type cachingLight struct {
	LightSensor
	d *Device
}

func (c *cachingLight) Light(ctx context.Context) (int, error) {
	v, err := c.LightSensor.Light(ctx)
	c.d.mu.Lock()
	if err != nil {
		c.d.lastLight = -1
	} else {
		c.d.lastLight = v
	}
	c.d.mu.Unlock()
	return v, err
}
