// Package camtest is an in-memory camera.Camera for the web packages' unit tests: a board with
// every part (LEDs, IR LED, IR cut, a 2600x700 motor, a light level), night and motion state,
// services whose control really changes their state, events, log lines and a small real JPEG.
// It records the calls that change something so tests can assert what happened.
//
// It never touches hardware, starts no goroutine of its own and writes files only through
// conf.Apply callers (in the config dir given to NewIn). It is for tests only.
package camtest

import (
	"bytes"
	"fmt"
	"github.com/freecam/freecam/internal/deliver"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/service"
)

var _ camera.Camera = (*Camera)(nil)

// Motor limits and the starting position of the fake motor (the Dafang's).
const (
	MaxX = 2600
	MaxY = 700
)

// PicWidth and PicHeight are the size of the fake's JPEG.
const (
	PicWidth  = 64
	PicHeight = 48
)

// Camera is the fake. All methods are safe for concurrent use.
type Camera struct {
	jpeg []byte // immutable after New

	mu         sync.Mutex
	dir        string
	cfg        *conf.Config
	mediaDir   string
	deliveries []deliver.Status
	status     camera.Status
	hw         hal.State
	night      camera.NightState
	motion     camera.MotionState
	services   []service.Info
	events     []camera.Event
	thumbs     map[string][]byte
	logs       []camera.LogLine
	fail       map[string]error
	restarts   int
	update     camera.UpdateState
	system     camera.SystemState
	calls      []string
}

// New returns a fake with the built-in default configuration and no config dir (ConfigDir is
// "", Reload re-applies the defaults). Use NewIn when the code under test writes settings.
func New() *Camera {
	c := newCamera()
	c.cfg = conf.Defaults()
	c.applyConfig()
	return c
}

// NewIn returns a fake whose config dir is dir: it runs conf.EnsureFiles(dir) and loads it, so
// Config is conf.Load(dir) and Reload re-reads it.
func NewIn(dir string) (*Camera, error) {
	if _, err := conf.EnsureFiles(dir); err != nil {
		return nil, fmt.Errorf("camtest: %w", err)
	}
	cfg, _, err := conf.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("camtest: load %s: %w", dir, err)
	}
	c := newCamera()
	c.dir, c.cfg = dir, cfg
	c.applyConfig()
	return c, nil
}

func newCamera() *Camera {
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &Camera{
		jpeg: makeJPEG(),
		status: camera.Status{
			Version:   "camtest",
			Hostname:  "camtest",
			Started:   start,
			Source:    "synthetic",
			RTSPURL:   "rtsp://camtest:8554/unicast",
			FPS:       25,
			Readers:   1,
			FreeBytes: 8 << 30,
			MAC:       "02:00:5e:10:20:30",
			WiFi:      &camera.WiFi{Interface: "wlan0", SignalDBm: -61, LinkQuality: 49, NoiseDBm: -95},
		},
		hw: hal.State{
			Board:      "camtest",
			HasBlueLED: true, HasYellowLED: true, HasIRLED: true, HasIRCut: true, HasMotor: true, HasLight: true,
			BlueLED:     true,
			IRCutDay:    true,
			Motor:       hal.Position{X: MaxX / 2, Y: MaxY / 2},
			MotorLimits: hal.Position{X: MaxX, Y: MaxY},
			Light:       180,
		},
		night: camera.NightState{Auto: true, Level: 180, Since: start, Cause: "start"},
		services: []service.Info{
			{Name: "rtsp", Autostart: true, Status: service.Status{State: service.Running, Since: start}},
			{Name: "auto-night", Autostart: true, Status: service.Status{State: service.Running, Since: start}},
			{Name: "motion", Status: service.Status{State: service.Stopped}},
			{Name: "recording", Status: service.Status{State: service.Stopped}},
			{Name: "timelapse", Status: service.Status{State: service.Stopped}},
			{Name: "mqtt", Status: service.Status{State: service.Stopped}},
		},
		events: []camera.Event{
			{ID: "ev-1", Kind: "motion", Time: start.Add(time.Minute), Text: "motion in region 0", Thumb: true},
		},
		logs: []camera.LogLine{
			{Time: start, Level: "INFO", Message: "freecam started"},
			{Time: start.Add(time.Second), Level: "INFO", Message: "rtsp: listening on :8554"},
		},
		fail:   make(map[string]error),
		update: camera.UpdateState{Configured: true, Installed: "camtest"},
	}
	c.thumbs = map[string][]byte{"ev-1": c.jpeg}
	return c
}

// applyConfig copies what the status shows from c.cfg. Called with c.mu held (or before sharing).
func (c *Camera) applyConfig() {
	c.status.Width, c.status.Height = c.cfg.RTSP.Width, c.cfg.RTSP.Height
}

// makeJPEG encodes a small gradient as a baseline JPEG.
func makeJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, PicWidth, PicHeight))
	for y := range PicHeight {
		for x := range PicWidth {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 128, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		panic("camtest: encode jpeg: " + err.Error()) // cannot happen with an in-memory image
	}
	return b.Bytes()
}

// JPEG returns the picture every image handler serves (do not modify it).
func (c *Camera) JPEG() []byte { return c.jpeg }

// record appends a call. Called with c.mu held.
func (c *Camera) record(format string, args ...any) {
	c.calls = append(c.calls, fmt.Sprintf(format, args...))
}

// Calls returns the calls that changed something (or tried to), oldest first, such as
// "SetSwitch blue_led on", "SetNightMode night", "Move 100 0", "MoveTo 10 20", "Calibrate",
// "ServiceControl motion start", "Reload", "Restart", "UpdateCheck", "UpdateApply".
func (c *Camera) Calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// Restarts counts Restart calls.
func (c *Camera) Restarts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restarts
}

// Fail makes every later call of the named method ("SetSwitch", "SetNightMode", "Move", "MoveTo",
// "Calibrate", "ServiceControl", "Reload", "UpdateCheck", "UpdateApply") return err, until Fail(method, nil). The call is still
// recorded.
func (c *Camera) Fail(method string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		delete(c.fail, method)
		return
	}
	c.fail[method] = err
}

// SetStatus replaces the status (Restarts and ConfigErr stay the fake's own).
func (c *Camera) SetStatus(s camera.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = s
}

// SetHardware replaces the board's state, for example to take the motor away (HasMotor false).
func (c *Camera) SetHardware(s hal.State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hw = s
}

// SetMediaDir sets what MediaDir returns.
func (c *Camera) SetMediaDir(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mediaDir = dir
}

// SetMotion replaces the motion state (Enabled follows the motion service and is kept).
func (c *Camera) SetMotion(m camera.MotionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Enabled = c.motion.Enabled
	c.motion = m
}

// AddEvent adds an event (newest) with an optional thumbnail.
func (c *Camera) AddEvent(e camera.Event, thumb []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.Thumb = thumb != nil
	c.events = append(c.events, e)
	if thumb != nil {
		c.thumbs[e.ID] = thumb
	}
}

// AddLog appends a log line.
func (c *Camera) AddLog(l camera.LogLine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logs = append(c.logs, l)
}
