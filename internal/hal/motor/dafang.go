package motor

import (
	"context"
	"fmt"
	"time"
	"unsafe"
)

// ioctl request numbers of the Dafang/Xiaofang motor driver
// (sample_motor.ko, /dev/motor). They are plain integers, not _IOW-encoded.
const (
	ioctlStop      = 0x1
	ioctlReset     = 0x2
	ioctlMove      = 0x3
	ioctlGetStatus = 0x4
	ioctlSpeed     = 0x5
)

// Directions of MOTOR_MOVE.
const (
	dirUp    = 0
	dirDown  = 1
	dirLeft  = 2
	dirRight = 3
)

// DefaultSpeed is the speed motor.c passed with every move.
const DefaultSpeed = 1000

// moveArg is the driver's motor_move_st: three C ints.
type moveArg struct {
	Directional int32
	Steps       int32
	Speed       int32
}

// Status is the driver's motor_status_st as filled by MOTOR_GET_STATUS.
type Status struct {
	DirectionalAttr int32
	TotalSteps      int32
	CurrentSteps    int32
	MinSpeed        int32
	CurSpeed        int32
	MaxSpeed        int32
	MoveIsMin       int32
	MoveIsMax       int32
}

// IoctlFunc performs ioctl(fd, req, arg). Tests replace it.
type IoctlFunc func(fd uintptr, req uintptr, arg unsafe.Pointer) error

// DafangOptions configures a Dafang driver. The zero value is usable.
type DafangOptions struct {
	// Path is the device; default /dev/motor.
	Path string
	// StepTime is how long the driver takes per step; the driver's move
	// ioctl returns at once, so Run waits this long per step (as the
	// firmware's scripts slept 1.3 ms per step). Default DefaultStepTime.
	StepTime time.Duration
	// Speed is sent with every move; default DefaultSpeed.
	Speed int

	// ioctl and fd replace the device in tests (fd is then not opened).
	ioctl IoctlFunc
	fd    uintptr
}

// Dafang drives /dev/motor of the Xiaomi Dafang (Ingenic T20) with the
// ioctls of the firmware's motor.c. The driver moves one axis per ioctl.
//
// Not yet run on hardware: the request numbers and struct layouts follow
// motor.c and are checked against a fake ioctl in tests only.
type Dafang struct {
	fd       uintptr
	ioctl    IoctlFunc
	stepTime time.Duration
	speed    int32
	close    func() error
}

var _ Driver = (*Dafang)(nil)

// OpenDafang opens the motor device.
func OpenDafang(opts DafangOptions) (*Dafang, error) {
	if opts.Path == "" {
		opts.Path = "/dev/motor"
	}
	if opts.StepTime <= 0 {
		opts.StepTime = DefaultStepTime
	}
	if opts.Speed <= 0 {
		opts.Speed = DefaultSpeed
	}
	d := &Dafang{fd: opts.fd, ioctl: opts.ioctl, stepTime: opts.StepTime, speed: int32(opts.Speed), close: func() error { return nil }}
	if d.ioctl == nil {
		fd, closeFn, err := openDevice(opts.Path)
		if err != nil {
			return nil, fmt.Errorf("motor: open %s: %w", opts.Path, err)
		}
		d.fd, d.close, d.ioctl = fd, closeFn, sysIoctl
	}
	return d, nil
}

// Run sends one MOTOR_MOVE and waits StepTime per step, reporting progress
// every 50 ms; if ctx ends first it sends MOTOR_STOP and counts the steps
// by the time elapsed.
func (d *Dafang) Run(ctx context.Context, axis Axis, steps int, progress func(done int)) (int, error) {
	arg := moveArg{Steps: int32(steps), Speed: d.speed}
	switch {
	case axis == Pan && steps >= 0:
		arg.Directional = dirRight
	case axis == Pan:
		arg.Directional, arg.Steps = dirLeft, int32(-steps)
	case steps >= 0:
		arg.Directional = dirUp
	default:
		arg.Directional, arg.Steps = dirDown, int32(-steps)
	}
	total := int(arg.Steps)
	if total == 0 {
		return 0, nil
	}
	if err := d.ioctl(d.fd, ioctlMove, unsafe.Pointer(&arg)); err != nil {
		return 0, fmt.Errorf("motor: MOTOR_MOVE: %w", err)
	}
	start := time.Now()
	end := time.Duration(total) * d.stepTime
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	timer := time.NewTimer(end)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			done := min(int(time.Since(start)/d.stepTime), total)
			if err := d.Stop(); err != nil {
				return done, err
			}
			return done, ctx.Err()
		case <-timer.C:
			progress(total)
			return total, nil
		case <-t.C:
			progress(min(int(time.Since(start)/d.stepTime), total))
		}
	}
}

// Stop sends MOTOR_STOP.
func (d *Dafang) Stop() error {
	if err := d.ioctl(d.fd, ioctlStop, nil); err != nil {
		return fmt.Errorf("motor: MOTOR_STOP: %w", err)
	}
	return nil
}

// Reset sends MOTOR_RESET (the driver's own calibration).
func (d *Dafang) Reset() error {
	if err := d.ioctl(d.fd, ioctlReset, nil); err != nil {
		return fmt.Errorf("motor: MOTOR_RESET: %w", err)
	}
	return nil
}

// SetSpeed sends MOTOR_SPEED.
func (d *Dafang) SetSpeed(speed int) error {
	v := int32(speed)
	if err := d.ioctl(d.fd, ioctlSpeed, unsafe.Pointer(&v)); err != nil {
		return fmt.Errorf("motor: MOTOR_SPEED: %w", err)
	}
	return nil
}

// Status sends MOTOR_GET_STATUS.
func (d *Dafang) Status() (Status, error) {
	var st Status
	if err := d.ioctl(d.fd, ioctlGetStatus, unsafe.Pointer(&st)); err != nil {
		return Status{}, fmt.Errorf("motor: MOTOR_GET_STATUS: %w", err)
	}
	return st, nil
}

// Close closes the device.
func (d *Dafang) Close() error { return d.close() }
