// Package hal is freecam's hardware abstraction: the small capability
// interfaces a camera board may offer (status LEDs, IR LED, IR-cut filter,
// pan/tilt motor, light sensor) and Device, the set a board actually has.
//
// Every capability is optional: a nil field of Device means the board does
// not have it. Implementations live in subpackages, one per backend: sim
// (in memory, the default on a machine that is not a camera), gpio (Linux
// sysfs GPIO, Dafang/Xiaofang pin map), adc (the Ingenic light sensor) and
// motor (pan/tilt bookkeeping over a simulated or /dev/motor driver);
// board builds a Device from hal.conf.
//
// This package holds no backend code, starts no goroutine and does not log.
package hal

import (
	"context"
	"errors"
)

// Switch is an on/off output: a status LED or the IR LED. Implementations
// are goroutine-safe; Set does not block for long (a sysfs write).
type Switch interface {
	Set(on bool) error
	On() bool
}

// IRCut is the IR-cut filter. Day means the filter is in front of the
// sensor (colour picture); night means it is out (the IR LED can light the
// scene). On the Dafang the filter is bistable and moved by a pulse of about
// a second, so SetDay blocks for that long.
type IRCut interface {
	// SetDay moves the filter in (day) or out (!day). It blocks until the
	// move is done or ctx ends; on error the reported state is unchanged.
	SetDay(ctx context.Context, day bool) error
	// Day reports the filter's last known position.
	Day() bool
}

// LightSensor reads the ambient light level on the firmware's ADC scale:
// the firmware's auto night switched to night at a level ≤ 40 and back to
// day at ≥ 45; daylight reads about 200. It is not a percentage.
type LightSensor interface {
	// Light returns the current level. It may block briefly (device reads).
	Light(ctx context.Context) (int, error)
}

// Position is a pan/tilt position in motor steps: X from 0 (left end) to
// the X limit, Y from 0 (bottom end) to the Y limit, in the motor's own
// frame (the frame of ptz_presets.conf and cameraposition), which does not
// change when the picture is flipped.
type Position struct {
	X int `json:"x"`
	Y int `json:"y"`
}

// Move is the outcome of a motor move.
type Move struct {
	From Position `json:"from"`
	To   Position `json:"to"` // where the motor ended up
	// Clamped is true when the requested target was outside the limits and
	// the move stopped at the limit instead.
	Clamped bool `json:"clamped"`
}

// ErrStopped is returned by a move that Stop interrupted.
var ErrStopped = errors.New("hal: motor move stopped")

// Motor is a pan/tilt motor. Moves take real time (about 1.3 ms per step on
// the Dafang) and are serialized: a move waits for the one before it. All
// methods are goroutine-safe.
type Motor interface {
	// Move moves by dx, dy steps as seen in the picture: +dx is right, +dy
	// is up. When the picture is flipped (SetFlipped) both directions are
	// mirrored, as the firmware's motor wrapper did. The target is clamped
	// to the limits (Move.Clamped). It blocks until the move ends; ctx
	// ending or Stop interrupts it (the position is where it stopped).
	Move(ctx context.Context, dx, dy int) (Move, error)
	// MoveTo goes to an absolute position in the motor's frame (not
	// mirrored by flip), clamped to the limits.
	MoveTo(ctx context.Context, p Position) (Move, error)
	// Position is the current position, updated while a move runs.
	Position() Position
	// Limits is the largest position (the smallest is 0, 0).
	Limits() Position
	// Calibrate drives both axes past their ends to find the origin, then
	// goes to the centre of the limits.
	Calibrate(ctx context.Context) error
	// Stop interrupts the running move, if any. It does not block.
	Stop()
	// SetFlipped tells the motor whether the picture is flipped
	// (rtspserver.conf FLIP=ON), which mirrors relative moves.
	SetFlipped(flipped bool)
}
