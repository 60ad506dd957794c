// Package motor drives a pan/tilt camera: Controller implements hal.Motor
// (limits, flip-aware relative moves, absolute moves, calibration, position
// bookkeeping) on top of a Driver that moves one axis at a time. Drivers:
// SimDriver (in memory, real time per step) and Dafang (/dev/motor ioctls).
// The cameraposition file of the firmware is read and written by
// ReadPositionFile and WritePositionFile.
//
// The package does not log and starts no goroutine of its own; a move runs
// on the caller's goroutine.
package motor

import (
	"context"
	"time"
)

// Axis is one of the two motors.
type Axis int

const (
	Pan  Axis = iota // X: + is right
	Tilt             // Y: + is up
)

func (a Axis) String() string {
	if a == Pan {
		return "pan"
	}
	return "tilt"
}

// Firmware defaults (scripts/common_functions.sh MAX_X, MAX_Y; the
// PTZpresets.sh timing of 1.3 ms per step).
const (
	DefaultMaxX     = 2600
	DefaultMaxY     = 700
	DefaultStepTime = 1300 * time.Microsecond
)

// Driver moves one axis of the hardware. Run moves axis by steps (negative
// towards 0: left or down) and blocks until the move is done or ctx ends;
// then it stops the motor and returns how many steps were made (always ≥ 0
// and ≤ |steps|). While it runs it calls progress (on its own goroutine,
// which is the caller's) with the steps made so far, at least every 50 ms
// of motion. A Driver is used by one Controller, one Run at a time.
type Driver interface {
	Run(ctx context.Context, axis Axis, steps int, progress func(done int)) (done int, err error)
	Close() error
}
