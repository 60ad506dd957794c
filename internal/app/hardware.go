package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/board"
	"github.com/freecam/freecam/internal/hal/motor"
	"github.com/freecam/freecam/internal/night"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/source/synthetic"
)

// hardware is the board freecam runs on. It is opened once per Run and outlives config reloads:
// re-opening would pulse the IR cut back to day and lose the motor position.
type hardware struct {
	board *board.Board
	hal   conf.HAL // what it was opened with, to tell the user when a reload cannot apply hal.conf
	scene atomic.Pointer[synthetic.Source]
	log   *slog.Logger
	// origin is where motion tracking returns to: the firmware's cameraposition at start.
	origin hal.Position
}

func openHardware(ctx context.Context, cfg *conf.Config, configDir string, bus *event.Bus, log *slog.Logger) (*hardware, error) {
	hw := &hardware{hal: cfg.HAL, log: log}
	var start hal.Position
	if p, err := motor.ReadPositionFile(filepath.Join(configDir, motor.PositionFile)); err == nil {
		start = p
	}
	b, err := board.Open(ctx, cfg.HAL, board.Options{
		Log:        log,
		Flipped:    cfg.RTSP.Flip,
		MotorStart: start,
		// The synthetic scene shows what the IR cut does: grey and noisier when it is off.
		OnChange: func(s hal.State) {
			if sc := hw.scene.Load(); sc != nil && s.HasIRCut {
				sc.SetNight(!s.IRCutDay)
			}
			bus.Publish(event.Event{Kind: event.Hardware, Time: time.Now(), Cause: "hal"})
		},
	})
	if err != nil {
		return nil, err
	}
	hw.board = b
	if m := b.Device.Motor; m != nil {
		hw.origin = m.Position()
	}
	return hw, nil
}

// close saves the motor position (the firmware's cameraposition file) and releases the board.
func (hw *hardware) close(configDir string) {
	if m := hw.board.Device.Motor; m != nil {
		if err := motor.WritePositionFile(filepath.Join(configDir, motor.PositionFile), m.Position()); err != nil {
			hw.log.Warn("saving the motor position", "err", err)
		}
	}
	if err := hw.board.Close(); err != nil {
		hw.log.Warn("closing the board", "err", err)
	}
}

// warnHAL tells the user that hal.conf changes wait for a restart.
func (hw *hardware) warnHAL(cfg *conf.Config) {
	if !reflect.DeepEqual(hw.hal, cfg.HAL) {
		hw.log.Warn("hal.conf changed: the board is set up at start; restart freecam to apply it")
	}
}

// setFlip mirrors motor moves when the picture is flipped (rtspserver.conf FLIP).
func (hw *hardware) setFlip(cfg *conf.Config) {
	if m := hw.board.Device.Motor; m != nil {
		m.SetFlipped(cfg.RTSP.Flip)
	}
}

// followLight makes the synthetic scene follow the simulated light sensor, once a second, so the
// simulated day/night cycle (or a level set through the API) is visible in the picture.
func (hw *hardware) followLight(scene *synthetic.Source) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		light := hw.board.SimLight
		if light == nil {
			return nil
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if level, err := light.Light(ctx); err == nil {
				scene.SetLight(level)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// nightController builds the day/night controller from autonight.conf for this board; sensor
// frames come from the snapshot mailbox in virtual mode.
func (hw *hardware) nightController(cfg *conf.Config, frames night.Frames, bus *event.Bus, prev *night.Controller, log *slog.Logger) (*night.Controller, error) {
	a := cfg.AutoNight
	dev := hw.board.Device
	opts := night.Options{
		IRLEDOff:          a.IRLEDOff,
		Manual:            a.Mode == conf.NightModeOff,
		NightAt:           a.NightAt,
		DayAt:             a.DayAt,
		LeaveNightAt:      a.LeaveNightAt,
		Interval:          a.Interval,
		Reads:             a.Reads,
		Window:            a.Window,
		Confirm:           orNone(a.Confirm),
		MinDwell:          orNone(a.MinDwell),
		SensorSeesPicture: a.Mode == conf.NightModeVirtual,
		Bus:               bus,
		Log:               log,
	}
	// After a reload, carry on from the running camera's state instead of starting in day:
	// a new controller would switch the IR cut to day at night until it decided again.
	if prev != nil {
		s := prev.State()
		opts.Manual = opts.Manual || !s.Auto
		opts.Night = s.Night // a manual night stays too; SetAuto later passes through day to measure
		if s.Night && s.Auto {
			opts.Calibrated = s.LeaveNightAt
		}
	}
	// Hardware parts go in only when present: a nil *T in an interface would not read as absent.
	if dev.IRCut != nil {
		opts.IRCut = dev.IRCut
	} else if sc := hw.scene.Load(); sc != nil {
		opts.Look = sc
	}
	if dev.IRLED != nil {
		opts.IRLED = dev.IRLED
	}
	switch a.Mode {
	case conf.NightModeVirtual:
		opts.Sensor = &night.Virtual{Frames: frames}
	case conf.NightModeHW, conf.NightModeSim:
		if dev.Light != nil {
			opts.Sensor = dev.Light
		}
	}
	return night.New(opts)
}

// orNone maps autonight.conf's 0 ("none") onto the controller's negative "none".
func orNone(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// autoNightService runs automatic day/night switching; stopping it leaves the camera in its
// current mode, switchable by hand.
func autoNightService(nc *night.Controller, log *slog.Logger) service.Service {
	return service.Supervised("auto-night", nc.Run, service.Options{Log: log})
}
