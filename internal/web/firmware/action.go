package firmware

import (
	"net/http"
)

// action runs one action.cgi command. cmd is the command's name, for messages.
type action func(w http.ResponseWriter, r *http.Request, cmd string)

// actionTable builds the command table: every name action.cgi answers, with the firmware's
// commands that freecam does not do answering 400 with what to use instead.
func (h *Handlers) actionTable() map[string]action {
	t := make(map[string]action)
	h.addSwitches(t)
	h.addNight(t)
	h.addMotor(t)
	h.addMotion(t)
	h.addSystem(t)
	for cmd, instead := range unsupported() {
		t[cmd] = func(w http.ResponseWriter, _ *http.Request, cmd string) {
			text(w, http.StatusBadRequest, "%s: not supported by freecam: %s", cmd, instead)
		}
	}
	return t
}

// action serves /cgi-bin/action.cgi?cmd=…, from the query or a POST form, as the firmware did.
func (h *Handlers) action(w http.ResponseWriter, r *http.Request) {
	cmd := r.FormValue("cmd")
	if cmd == "" {
		text(w, http.StatusBadRequest, "missing cmd")
		return
	}
	a, ok := h.actions[cmd]
	if !ok {
		text(w, http.StatusBadRequest, "unknown command %q", clip(cmd))
		return
	}
	a(w, r, cmd)
}

// unsupported lists the firmware's action.cgi commands that make no sense in freecam, with
// what to use instead.
func unsupported() map[string]string {
	const camera = "set it on the Camera page or in rtspserver.conf"
	const night = "set it on the Camera page or in autonight.conf"
	return map[string]string{
		"update":                      "freecam is updated by replacing its binary, not from GitHub",
		"show_updateProgress":         "freecam is updated by replacing its binary, not from GitHub",
		"check_update":                "freecam is updated by replacing its binary, not from GitHub",
		"shutdown":                    "freecam cannot power the camera off; use reboot to restart freecam",
		"audio_test":                  "freecam has no audio output",
		"conf_audioin":                "freecam has no audio input settings",
		"dumpbootloader":              "freecam does not read the bootloader",
		"settz":                       "set the time zone and NTP server on the System page",
		"set_http_password":           "use `freecam passwd` or the System page",
		"clearlog":                    "freecam's log is kept in memory and rotates by itself",
		"set_video_size":              camera,
		"toggle-rtsp-nightvision-on":  camera,
		"toggle-rtsp-nightvision-off": camera,
		"flip-on":                     camera,
		"flip-off":                    camera,
		"osd":                         "set the OSD on the Camera page or in osd.conf",
		"setldravg":                   night,
		"autonight_sw":                night,
		"autonight_hw":                night,
		"get_sw_night_config":         night,
		"save_sw_night_config":        night,
		"onDebug":                     "set debug_msg_enable in motion.conf, or the log level on the System page",
		"offDebug":                    "set debug_msg_enable in motion.conf, or the log level on the System page",
		"conf_timelapse":              "set the timelapse on the Camera page or in timelapse.conf",
		"show_HWmodel":                "the board is shown on the System page and in state.cgi",
	}
}
