package firmware

import (
	"errors"
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
)

// motionFlag is a motion.conf event-action key that action.cgi switches with
// motion_detection_<action>_{on,off,status} and state.cgi reports as state.
type motionFlag struct {
	action string // action.cgi's name
	state  string // state.cgi's name
	key    string // motion.conf key
}

// motionFlags lists the flags in state.cgi's order.
func motionFlags() []motionFlag {
	return []motionFlag{
		{"mail", "motion_mail", "send_email"},
		{"telegram", "motion_telegram", "send_telegram"},
		{"led", "motion_led", "motion_trigger_led"},
		{"snapshot", "motion_snapshot", "save_snapshot"},
		{"mqtt_publish", "motion_mqtt", "publish_mqtt_message"},
		{"mqtt_snapshot", "motion_mqtt_snapshot", "publish_mqtt_snapshot"},
		{"mqtt_video", "motion_mqtt_video", "publish_mqtt_video"},
		{"video", "motion_video", "save_video"},
	}
}

// flagOn reports a motion.conf flag of the configuration in use: the file's value, or the
// built-in default when the file does not set it. True is what the firmware's scripts tested
// (true), and the other spellings freecam reads as on.
func (h *Handlers) flagOn(key string) bool {
	var d *shellconf.Doc
	if cfg := h.cam.Config(); cfg != nil {
		d = cfg.Docs[conf.MotionFile]
	}
	v, _, found, err := "", 0, false, error(nil)
	if d != nil {
		v, _, found, err = d.Static(key)
	}
	if !found || err != nil {
		if src, ok := conf.Dist(conf.MotionFile); ok {
			if dd, perr := shellconf.Parse(conf.MotionFile, src); perr == nil {
				v, _, _, _ = dd.Static(key)
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "yes", "1":
		return true
	}
	return false
}

// errNoConfigDir is returned when the camera has no config dir to write to.
var errNoConfigDir = errors.New("this camera has no config directory; settings cannot be saved")

// saveMotion writes edits to motion.conf through conf.Apply and reloads the camera. It answers
// the error itself and returns false: 400 with the config's message when a value is refused
// (nothing is written then), 503 when the camera cannot write or reload.
func (h *Handlers) saveMotion(w http.ResponseWriter, cmd string, edits map[string]string) bool {
	dir := h.cam.ConfigDir()
	if dir == "" {
		h.fail(w, cmd, errNoConfigDir)
		return false
	}
	if _, err := conf.Apply(dir, conf.Edits{conf.MotionFile: edits}); err != nil {
		var ce conf.Errors
		if errors.As(err, &ce) {
			text(w, http.StatusBadRequest, "%s: %v", cmd, err)
			return false
		}
		h.fail(w, cmd, err)
		return false
	}
	if err := h.cam.Reload(); err != nil {
		h.fail(w, cmd+": reload", err)
		return false
	}
	return true
}
