package firmware

import (
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/hal"
)

// stateAll is the key:ON|OFF lines of state.cgi?cmd=all: the firmware's keys in its order, then
// freecam's additions (night_mode, rtsp, motion_tracking, motion_video). Unlike the firmware,
// whose motion flags always read ON, every value is the true one.
func (h *Handlers) stateAll() string {
	var b strings.Builder
	line := func(k string, on bool) {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(onOff(on))
		b.WriteByte('\n')
	}
	hw := h.cam.Hardware()
	line("auto_night_mode", h.cam.Night().Auto)
	line("sound_on_startup", false) // freecam plays no sound
	line("ir_led", hw.HasIRLED && hw.IRLED)
	line("ir_cut", hw.HasIRCut && hw.IRCutDay)
	line("blue_led", hw.HasBlueLED && hw.BlueLED)
	line("yellow_led", hw.HasYellowLED && hw.YellowLED)
	line("motion_detection", h.cam.Motion().Enabled)
	for _, f := range motionFlags() {
		if f.state != "motion_video" {
			line(f.state, h.flagOn(f.key))
		}
	}
	line("night_mode", h.cam.Night().Night)
	line("rtsp", h.serviceRunning("rtsp"))
	line("motion_tracking", h.tracking())
	line("motion_video", h.flagOn("save_video"))
	return strings.TrimSuffix(b.String(), "\n")
}

// tracking reports motion_tracking of the configuration in use.
func (h *Handlers) tracking() bool {
	cfg := h.cam.Config()
	return cfg != nil && cfg.Motion.Tracking
}

// stateSingles are state.cgi's single commands, each answering one word.
func (h *Handlers) stateSingles() map[string]func() string {
	sw := func(has, on func(hal.State) bool) func() string {
		return func() string { s := h.cam.Hardware(); return onOff(has(s) && on(s)) }
	}
	m := map[string]func() string{
		"night_mode":           func() string { return onOff(h.cam.Night().Night) },
		"rtsp":                 func() string { return onOff(h.serviceRunning("rtsp")) },
		"rtsp_h264":            func() string { return onOff(h.serviceRunning("rtsp")) }, // before the firmware's 2020 merge
		"auto_night_detection": func() string { return onOff(h.cam.Night().Auto) },
		"auto_night_detection_mode": func() string {
			if cfg := h.cam.Config(); cfg != nil {
				return cfg.AutoNight.Mode
			}
			return ""
		},
		"mqtt_status":      func() string { return onOff(h.serviceRunning("mqtt")) },
		"mqtt_control":     func() string { return onOff(h.serviceRunning("mqtt")) },
		"sound_on_startup": func() string { return onOff(false) },
		"motion_detection": func() string { return onOff(h.cam.Motion().Enabled) },
		"motion_tracking":  func() string { return onOff(h.tracking()) },
		"hostname":         func() string { return h.cam.Status().Hostname },
		"version":          func() string { return h.cam.Status().Version },
	}
	for _, p := range switchParts() {
		m[string(p.sw)] = sw(p.has, p.on)
	}
	for _, f := range motionFlags() {
		m[f.state] = func() string { return onOff(h.flagOn(f.key)) }
	}
	return m
}

// state serves /cgi-bin/state.cgi?cmd=…: all, or one of the single commands.
func (h *Handlers) state(w http.ResponseWriter, r *http.Request) {
	cmd := r.FormValue("cmd")
	switch cmd {
	case "":
		text(w, http.StatusBadRequest, "missing cmd")
	case "all":
		text(w, http.StatusOK, "%s", h.stateAll())
	default:
		f, ok := h.stateSingles()[cmd]
		if !ok {
			text(w, http.StatusBadRequest, "unknown command %q", clip(cmd))
			return
		}
		text(w, http.StatusOK, "%s", f())
	}
}
