package app

import (
	"context"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/motion"
	"github.com/freecam/freecam/internal/motion/track"
	"github.com/freecam/freecam/internal/night"
	"github.com/freecam/freecam/internal/osd"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/snapshot"
)

// MotionState is what the API, MQTT and the OSD marker show about motion.
type MotionState struct {
	Active bool            // an event is in progress
	Since  time.Time       // when it started (or ended)
	Region int             // region index of the current event, -1 without regions
	Box    image.Rectangle // last bounding box, stream pixels
	Score  float64
}

// motionDetection runs the detector on the latest raw picture at motion_fps. It reads the snapshot
// mailbox (one slot, latest wins), so detection can never slow the video: a slow detector just
// sees fewer pictures.
type motionDetection struct {
	cfg     conf.Motion
	width   int // the configured picture size; the detector adapts if pictures differ
	height  int
	frames  *snapshot.Mailbox
	bus     *event.Bus
	marker  *osd.Renderer
	motor   hal.Motor     // nil: no tracking
	origin  *hal.Position // where tracking returns to
	log     *slog.Logger
	state   atomic.Pointer[MotionState]
	markerC osd.Color
}

func (m *motionDetection) params(w, h int, osdAreas []image.Rectangle) motion.Params {
	c := m.cfg
	return motion.Params{
		Width: w, Height: h,
		Sensitivity: c.Sensitivity,
		Regions:     c.Regions,
		Exclusions:  append(append([]image.Rectangle(nil), c.Exclude...), osdAreas...),
		MinFrames:   c.MinFrames,
		EventGap:    c.EventGap,
		LightChange: c.LightChange,
		MaxChanged:  c.MaxChanged,
	}
}

func (m *motionDetection) run(ctx context.Context) error {
	quiet := night.NewQuiet(m.cfg.NightDelay)
	var wg sync.WaitGroup
	qctx, stopHelpers := context.WithCancel(ctx)
	var tr *track.Tracker
	// On the way out: stop the helpers, wait for them, and only then send a camera that
	// tracking turned toward motion back home (a reload, a stop), so the next excursion does
	// not take the turned position for home and the saved cameraposition stays the origin.
	defer func() {
		stopHelpers()
		wg.Wait()
		if tr != nil {
			m.goHome()
		}
	}()
	wg.Add(1)
	go func() { defer wg.Done(); _ = quiet.Run(qctx, m.bus) }()

	if m.motor != nil && m.cfg.Tracking {
		tr = track.New(m.motor, track.Options{ReturnAfter: m.cfg.Timeout, Origin: m.origin, Logger: m.log})
		wg.Add(1)
		go func() { defer wg.Done(); _ = tr.Run(qctx) }()
	}
	defer m.endEvent(tr) // an event in progress ends with the service

	interval := time.Second / time.Duration(max(m.cfg.FPS, 1))
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var det *motion.Detector
	var excluded []image.Rectangle // the OSD areas the detector ignores
	var areas []image.Rectangle    // scratch: the OSD's areas in the current picture
	var lastID uint64
	wasQuiet := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		f := m.frames.Latest()
		if f == nil || f.ID == lastID {
			continue
		}
		lastID = f.ID
		// The OSD's ticking clock and the motion marker are drawn into the picture before it
		// gets here: exclude them, or they would be motion. Rebuilding relearns the background,
		// so it happens only when the OSD has grown beyond what is excluded (a config change).
		areas = m.marker.AppendAreas(areas[:0], f.Width, f.Height)
		if det == nil || !covered(areas, excluded) {
			excluded = widen(areas)
			d, err := motion.NewDetector(m.params(f.Width, f.Height, excluded))
			if err != nil {
				return err
			}
			det = d
		}
		if quiet.Suppressed(time.Now()) { // after a day/night switch the picture changes completely
			wasQuiet = true
			continue
		}
		if wasQuiet {
			det.Reset()
			wasQuiet = false
		}
		res := det.Process(f.Y, f.Width, f.Height, f.PTS)
		switch res.Event {
		case motion.Start:
			m.startEvent(f.Time, res)
		case motion.End:
			m.endEvent(tr)
		}
		if res.Motion {
			if st := m.state.Load(); st != nil && st.Active {
				next := *st
				next.Box, next.Score = res.Box, res.Score
				m.state.Store(&next)
			}
			if tr != nil {
				tr.Motion(res.Box, f.Width, f.Height)
			}
		}
	}
}

func (m *motionDetection) startEvent(at time.Time, res motion.Result) {
	m.state.Store(&MotionState{Active: true, Since: at, Region: res.Region, Box: res.Box, Score: res.Score})
	// The marker and state change before the event goes out, so whoever reacts to the event
	// sees the camera in the state the event announces.
	if m.cfg.IndicatorColor >= 0 {
		m.marker.SetMarker(true, m.markerC)
	}
	m.bus.Publish(event.Event{Kind: event.MotionStart, Time: at, Cause: "detector", Region: res.Region, Box: res.Box, Score: res.Score})
	m.log.Info("motion started", "region", res.Region, "box", res.Box.String(), "score", res.Score)
}

func (m *motionDetection) endEvent(tr *track.Tracker) {
	st := m.state.Load()
	if st == nil || !st.Active {
		return
	}
	now := time.Now()
	m.state.Store(&MotionState{Since: now, Region: st.Region, Box: st.Box})
	m.marker.SetMarker(false, m.markerC)
	m.bus.Publish(event.Event{Kind: event.MotionEnd, Time: now, Cause: "detector", Region: st.Region, Box: st.Box})
	if tr != nil {
		tr.End()
	}
	m.log.Info("motion ended", "after", now.Sub(st.Since).Round(100*time.Millisecond))
}

// widen gives OSD text boxes room to change width as the digits change (proportional letters).
func widen(areas []image.Rectangle) []image.Rectangle {
	out := make([]image.Rectangle, len(areas))
	for i, a := range areas {
		out[i] = image.Rect(a.Min.X, a.Min.Y, a.Max.X+a.Dx()/4, a.Max.Y)
	}
	return out
}

// covered reports whether every area lies within one of the excluded rectangles.
func covered(areas, excluded []image.Rectangle) bool {
	for _, a := range areas {
		ok := false
		for _, e := range excluded {
			if a.In(e) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// goHome moves the motor back to the tracking origin if it is elsewhere, within a bound.
func (m *motionDetection) goHome() {
	if m.motor.Position() == *m.origin {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m.motor.MoveTo(ctx, *m.origin); err != nil {
		m.log.Warn("tracking: returning the camera to its origin", "err", err)
	}
}

func motionService(m *motionDetection) service.Service {
	return service.Supervised("motion", m.run, service.Options{Log: m.log})
}

// Motion returns the current motion state (zero when detection is not running).
func (a *App) Motion() MotionState {
	inst, _ := a.current()
	if inst == nil || inst.motion == nil {
		return MotionState{}
	}
	if st := inst.motion.state.Load(); st != nil {
		return *st
	}
	return MotionState{Region: -1}
}
