package firmware

import (
	"net/http"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/hal"
)

// switchPart is what the board's state says about one switch.
type switchPart struct {
	sw   camera.Switch
	name string // for "this camera has no …"
	has  func(hal.State) bool
	on   func(hal.State) bool
}

func switchParts() []switchPart {
	return []switchPart{
		{camera.BlueLED, "blue LED", func(s hal.State) bool { return s.HasBlueLED }, func(s hal.State) bool { return s.BlueLED }},
		{camera.YellowLED, "yellow LED", func(s hal.State) bool { return s.HasYellowLED }, func(s hal.State) bool { return s.YellowLED }},
		{camera.IRLED, "IR LED", func(s hal.State) bool { return s.HasIRLED }, func(s hal.State) bool { return s.IRLED }},
		// ir_cut on means the filter is in (day picture), as the firmware's ir_cut_on did.
		{camera.IRCut, "IR-cut filter", func(s hal.State) bool { return s.HasIRCut }, func(s hal.State) bool { return s.IRCutDay }},
	}
}

// addSwitches adds {blue_led,yellow_led,ir_led,ir_cut}_{on,off,status}. Each answers the
// switch's state afterwards, ON or OFF.
func (h *Handlers) addSwitches(t map[string]action) {
	for _, p := range switchParts() {
		status := func(w http.ResponseWriter) {
			s := h.cam.Hardware()
			if !p.has(s) {
				text(w, http.StatusConflict, "this camera has no %s", p.name)
				return
			}
			text(w, http.StatusOK, "%s", onOff(p.on(s)))
		}
		set := func(on bool) action {
			return func(w http.ResponseWriter, r *http.Request, cmd string) {
				if !p.has(h.cam.Hardware()) {
					text(w, http.StatusConflict, "this camera has no %s", p.name)
					return
				}
				if err := h.cam.SetSwitch(r.Context(), p.sw, on); err != nil {
					h.fail(w, cmd, err)
					return
				}
				status(w)
			}
		}
		t[string(p.sw)+"_on"] = set(true)
		t[string(p.sw)+"_off"] = set(false)
		t[string(p.sw)+"_status"] = func(w http.ResponseWriter, _ *http.Request, _ string) { status(w) }
	}
}

// addNight adds night_mode_{on,off,status} and auto_night_mode_{start,stop,status}.
func (h *Handlers) addNight(t map[string]action) {
	mode := func(m func() camera.NightMode, status func() bool) action {
		return func(w http.ResponseWriter, r *http.Request, cmd string) {
			if err := h.cam.SetNightMode(r.Context(), m()); err != nil {
				h.fail(w, cmd, err)
				return
			}
			text(w, http.StatusOK, "%s", onOff(status()))
		}
	}
	night := func() bool { return h.cam.Night().Night }
	auto := func() bool { return h.cam.Night().Auto }
	fixed := func(m camera.NightMode) func() camera.NightMode { return func() camera.NightMode { return m } }
	t["night_mode_on"] = mode(fixed(camera.Night), night)
	t["night_mode_off"] = mode(fixed(camera.Day), night)
	t["night_mode_status"] = statusOf(night)
	t["auto_night_mode_start"] = mode(fixed(camera.Auto), auto)
	// Stopping auto night keeps the current day or night, as stopping the firmware's autonight
	// service did.
	t["auto_night_mode_stop"] = mode(func() camera.NightMode {
		if h.cam.Night().Night {
			return camera.Night
		}
		return camera.Day
	}, auto)
	t["auto_night_mode_status"] = statusOf(auto)
}

// statusOf is an action answering ON or OFF.
func statusOf(on func() bool) action {
	return func(w http.ResponseWriter, _ *http.Request, _ string) { text(w, http.StatusOK, "%s", onOff(on())) }
}
