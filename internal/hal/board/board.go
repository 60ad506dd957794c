// Package board builds the hal.Device that hal.conf describes: it picks
// the board (detecting an Ingenic camera when BOARD is empty), applies the
// pin overrides to the board's profile and opens the GPIO, motor and light
// sensor backends. It is the only hal package that knows them all.
package board

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/adc"
	"github.com/freecam/freecam/internal/hal/gpio"
	"github.com/freecam/freecam/internal/hal/motor"
	"github.com/freecam/freecam/internal/hal/sim"
)

// Options are what Open needs besides hal.conf. The zero value is usable.
type Options struct {
	// Log receives one line describing the board; default slog.Default().
	Log *slog.Logger
	// OnChange is passed to hal.NewDevice: called after every change of an
	// LED, the IR LED, the IR cut or the motor position.
	OnChange func(hal.State)
	// Flipped is rtspserver.conf FLIP: relative motor moves are mirrored.
	Flipped bool
	// MotorStart is where the motor is believed to be (the cameraposition
	// file); default 0, 0.
	MotorStart hal.Position

	// CPUInfo and DriverDir are read to detect a camera when BOARD is
	// empty; defaults /proc/cpuinfo and /driver.
	CPUInfo   string
	DriverDir string
	// Now is the simulated light's clock; default time.Now.
	Now func() time.Time
	// Sleep waits out an IR-cut pulse; default a timer (tests shorten it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Board is an opened board.
type Board struct {
	// Name is the board in use: sim, dafang, xiaofang or custom.
	Name   string
	Device *hal.Device
	// SimLight is the simulated light sensor when LIGHT_SENSOR is sim (for
	// SetLight from the API), else nil.
	SimLight *sim.Light
	// Motor is the motor controller, for SetPosition after reading the
	// cameraposition file; nil without a motor. Moves go through
	// Device.Motor so that they are reported.
	Motor *motor.Controller
}

// Close releases the devices.
func (b *Board) Close() error { return b.Device.Close() }

// Detect returns the board for an empty BOARD: dafang, or xiaofang when the
// Xiaofang's Wi-Fi driver 8189fs.ko is in driverDir (the firmware's own
// test), when cpuinfo names an Ingenic CPU; sim otherwise.
func Detect(cpuinfo, driverDir string) string {
	b, err := os.ReadFile(cpuinfo)
	if err != nil || !strings.Contains(strings.ToLower(string(b)), "ingenic") {
		return conf.BoardSim
	}
	if _, err := os.Stat(filepath.Join(driverDir, "8189fs.ko")); err == nil {
		return conf.BoardXiaofang
	}
	return conf.BoardDafang
}

// Open builds the device. On a GPIO board it puts the outputs in the
// firmware's start-up state, which pulses the IR cut to day (Open blocks
// for IR_CUT_PULSE_SECONDS). On error nothing is left open.
func Open(ctx context.Context, cfg conf.HAL, opts Options) (_ *Board, err error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	if opts.CPUInfo == "" {
		opts.CPUInfo = "/proc/cpuinfo"
	}
	if opts.DriverDir == "" {
		opts.DriverDir = "/driver"
	}
	b := &Board{Name: cfg.Board}
	if b.Name == conf.BoardAuto {
		b.Name = Detect(opts.CPUInfo, opts.DriverDir)
	}
	parts := hal.Parts{Board: b.Name}
	defer func() {
		if err != nil {
			for i := len(parts.Closers) - 1; i >= 0; i-- {
				parts.Closers[i].Close()
			}
		}
	}()
	lightOpts := sim.LightOptions{Period: cfg.SimDayCycle, Now: opts.Now}

	motorKind, lightKind := cfg.Motor, cfg.LightSensor
	switch b.Name {
	case conf.BoardSim:
		sb := sim.New(lightOpts)
		p := sb.Parts()
		parts.BlueLED, parts.YellowLED, parts.IRLED, parts.IRCut = p.BlueLED, p.YellowLED, p.IRLED, p.IRCut
		if lightKind == "" || lightKind == "sim" {
			b.SimLight = sb.Light()
			parts.Light = b.SimLight
			lightKind = "sim"
		}
		motorKind = cmp(motorKind, "sim")
	case conf.BoardDafang, conf.BoardXiaofang, conf.BoardCustom:
		profile := gpio.Dafang()
		switch b.Name {
		case conf.BoardDafang:
			motorKind = cmp(motorKind, "dafang")
		case conf.BoardXiaofang:
			motorKind = cmp(motorKind, "none")
		case conf.BoardCustom:
			profile = gpio.None()
			motorKind = cmp(motorKind, "none")
		}
		if b.Name != conf.BoardCustom {
			lightKind = cmp(lightKind, "adc")
		}
		override(&profile.BlueLED, cfg.BlueLED)
		override(&profile.YellowLED, cfg.YellowLED)
		override(&profile.IRLED, cfg.IRLED)
		overridePin(&profile.IRCutDay, cfg.IRCutDayGPIO)
		overridePin(&profile.IRCutNight, cfg.IRCutNightGPIO)
		gb, err := gpio.Open(ctx, gpio.Config{
			Chip: gpio.Chip{Root: cfg.GPIORoot}, Profile: profile,
			Pulse: cfg.IRCutPulse, StateFile: cfg.IRCutStateFile, Sleep: opts.Sleep,
		})
		if err != nil {
			return nil, fmt.Errorf("hal: %s board: %w", b.Name, err)
		}
		// Typed nils must not become non-nil interfaces.
		if gb.BlueLED != nil {
			parts.BlueLED = gb.BlueLED
		}
		if gb.YellowLED != nil {
			parts.YellowLED = gb.YellowLED
		}
		if gb.IRLED != nil {
			parts.IRLED = gb.IRLED
		}
		if gb.IRCut != nil {
			parts.IRCut = gb.IRCut
		}
	default:
		return nil, fmt.Errorf("hal: unknown board %q", b.Name)
	}

	limits := hal.Position{X: cfg.MotorMaxX, Y: cfg.MotorMaxY}
	var drv motor.Driver
	switch motorKind {
	case "", "none":
	case "sim":
		drv = motor.NewSimDriver(motor.SimOptions{Limits: limits, Start: opts.MotorStart, StepTime: cfg.MotorStep})
	case "dafang":
		d, err := motor.OpenDafang(motor.DafangOptions{Path: cfg.MotorDevice, StepTime: cfg.MotorStep})
		if err != nil {
			return nil, fmt.Errorf("hal: %w (set MOTOR=none in %s if this camera has no motor)", err, conf.HALFile)
		}
		drv = d
	default:
		return nil, fmt.Errorf("hal: unknown motor %q", motorKind)
	}
	if drv != nil {
		parts.Closers = append(parts.Closers, drv)
		b.Motor = motor.NewController(drv, motor.Options{Limits: limits, Start: opts.MotorStart, Flipped: opts.Flipped})
		parts.Motor = b.Motor
	}

	switch lightKind {
	case "", "none":
	case "sim":
		if b.SimLight == nil {
			b.SimLight = sim.NewLight(lightOpts)
			parts.Light = b.SimLight
		}
	case "adc":
		s := &adc.Sensor{Path: cfg.LightSensorDevice, Samples: cfg.LightSensorSamples}
		if _, err := s.Light(ctx); err != nil {
			if cfg.LightSensor == "adc" {
				return nil, fmt.Errorf("hal: LIGHT_SENSOR=adc: %w", err)
			}
			// The board's default, but newer Dafang/Xiaofang have no
			// sensor: say so once and leave the capability absent.
			log.Warn("no hardware light sensor; use autonight_mode=virtual", "device", s.Path, "err", err)
		} else {
			parts.Light = s
		}
	default:
		return nil, fmt.Errorf("hal: unknown light sensor %q", lightKind)
	}

	b.Device = hal.NewDevice(parts, opts.OnChange)
	log.Info("hal ready", "board", b.Name, "motor", cmp(motorKind, "none"), "light_sensor", cmp(lightKind, "none"))
	return b, nil
}

func cmp(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func override(o *gpio.Output, c conf.HALOutput) {
	overridePin(&o.GPIO, c.GPIO)
	if c.OnValue >= 0 {
		o.OnValue = c.OnValue
	}
}

func overridePin(dst *int, v int) {
	switch v {
	case conf.HALPinDefault:
	case conf.HALPinNone:
		*dst = -1
	default:
		*dst = v
	}
}
