package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/hal"
)

// controlTimeout bounds a hardware action started from a page (a motor move across the whole
// range takes a few seconds).
const controlTimeout = 30 * time.Second

// moveSteps is how far one arrow press moves the motor.
const moveSteps = 100

type switchView struct {
	Name  camera.Switch
	Label string
	On    bool
}

type liveData struct {
	Status   camera.Status
	Hardware hal.State
	Night    camera.NightState
	Motion   camera.MotionState
	Switches []switchView
	Mode     string // day, night or auto
}

func (u *UI) live(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r, "Live")
	v.Flash = flashFor(r)
	v.Scripts = []string{"live.js"}
	u.renderLive(w, http.StatusOK, v)
}

func (u *UI) renderLive(w http.ResponseWriter, status int, v *view) {
	hw := u.cam.Hardware()
	d := liveData{Status: u.cam.Status(), Hardware: hw, Night: u.cam.Night(), Motion: u.cam.Motion()}
	d.Status.RTSPURL = camera.URLForClient(d.Status.RTSPURL, v.host)
	add := func(has bool, s camera.Switch, label string, on bool) {
		if has {
			d.Switches = append(d.Switches, switchView{s, label, on})
		}
	}
	add(hw.HasBlueLED, camera.BlueLED, "Blue LED", hw.BlueLED)
	add(hw.HasYellowLED, camera.YellowLED, "Yellow LED", hw.YellowLED)
	add(hw.HasIRLED, camera.IRLED, "IR LED", hw.IRLED)
	add(hw.HasIRCut, camera.IRCut, "IR-cut filter", hw.IRCutDay)
	switch {
	case d.Night.Auto:
		d.Mode = "auto"
	case d.Night.Night:
		d.Mode = "night"
	default:
		d.Mode = "day"
	}
	v.Data = d
	u.render(w, status, "live", v)
}

// liveError shows the live page with a problem at the top.
func (u *UI) liveError(w http.ResponseWriter, r *http.Request, status int, err error) {
	v := u.newView(r, "Live")
	v.Error = err.Error()
	v.Scripts = []string{"live.js"}
	u.renderLive(w, status, v)
}

func (u *UI) liveSwitch(w http.ResponseWriter, r *http.Request) {
	s := camera.Switch(r.PostFormValue("switch"))
	switch s {
	case camera.BlueLED, camera.YellowLED, camera.IRLED, camera.IRCut:
	default:
		u.liveError(w, r, http.StatusBadRequest, fmt.Errorf("unknown switch %q", s))
		return
	}
	on, err := strconv.ParseBool(r.PostFormValue("on"))
	if err != nil {
		u.liveError(w, r, http.StatusBadRequest, fmt.Errorf("on must be true or false"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), controlTimeout)
	defer cancel()
	if err := u.cam.SetSwitch(ctx, s, on); err != nil {
		u.liveError(w, r, http.StatusInternalServerError, err)
		return
	}
	back(w, r, "/live", "")
}

func (u *UI) liveNight(w http.ResponseWriter, r *http.Request) {
	m := camera.NightMode(r.PostFormValue("mode"))
	switch m {
	case camera.Day, camera.Night, camera.Auto:
	default:
		u.liveError(w, r, http.StatusBadRequest, fmt.Errorf("night mode must be day, night or auto"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), controlTimeout)
	defer cancel()
	if err := u.cam.SetNightMode(ctx, m); err != nil {
		u.liveError(w, r, http.StatusInternalServerError, err)
		return
	}
	back(w, r, "/live", "")
}

func (u *UI) liveMove(w http.ResponseWriter, r *http.Request) {
	var dx, dy int
	switch r.PostFormValue("dir") {
	case "left":
		dx = -moveSteps
	case "right":
		dx = moveSteps
	case "up":
		dy = moveSteps
	case "down":
		dy = -moveSteps
	default:
		u.liveError(w, r, http.StatusBadRequest, fmt.Errorf("direction must be left, right, up or down"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), controlTimeout)
	defer cancel()
	if _, err := u.cam.Move(ctx, dx, dy); err != nil {
		u.liveError(w, r, http.StatusInternalServerError, err)
		return
	}
	back(w, r, "/live", "")
}

func (u *UI) liveCalibrate(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*controlTimeout)
	defer cancel()
	if err := u.cam.Calibrate(ctx); err != nil {
		u.liveError(w, r, http.StatusInternalServerError, err)
		return
	}
	back(w, r, "/live", "")
}
