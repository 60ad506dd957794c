package firmware

import (
	"fmt"
	"net/http"
	"strings"
)

// addMotion adds motion_detection_{on,off,status}, the motion flags
// motion_detection_<flag>_{on,off,status} and set_region_of_interest.
func (h *Handlers) addMotion(t map[string]action) {
	detection := func(on bool) action {
		return func(w http.ResponseWriter, r *http.Request, cmd string) {
			// Persist first, so the choice survives a restart; then start or stop the service.
			if !h.saveMotion(w, cmd, map[string]string{"motion_detection": strings.ToLower(onOff(on))}) {
				return
			}
			if !h.motionService(w, r, cmd, on) {
				return
			}
			// The service was started or stopped without error; it may still be starting, so
			// answer what was done rather than a status read a moment too early.
			text(w, http.StatusOK, "%s", onOff(on))
		}
	}
	t["motion_detection_on"] = detection(true)
	t["motion_detection_off"] = detection(false)
	t["motion_detection_status"] = statusOf(func() bool { return h.cam.Motion().Enabled })

	for _, f := range motionFlags() {
		set := func(on bool) action {
			return func(w http.ResponseWriter, _ *http.Request, cmd string) {
				if !h.saveMotion(w, cmd, map[string]string{f.key: fmt.Sprint(on)}) {
					return
				}
				text(w, http.StatusOK, "%s", onOff(h.flagOn(f.key)))
			}
		}
		name := "motion_detection_" + f.action
		t[name+"_on"] = set(true)
		t[name+"_off"] = set(false)
		t[name+"_status"] = statusOf(func() bool { return h.flagOn(f.key) })
	}

	t["set_region_of_interest"] = h.setRegionOfInterest
}

// motionService starts or stops the motion service; on failure it answers and returns false.
func (h *Handlers) motionService(w http.ResponseWriter, r *http.Request, cmd string, on bool) bool {
	op := "stop"
	if on {
		op = "start"
	}
	if err := h.cam.ServiceControl(r.Context(), "motion", op); err != nil {
		h.fail(w, cmd, err)
		return false
	}
	return true
}

// roiKeys are the motion.conf keys set_region_of_interest sets from parameters of the same name.
func roiKeys() []string {
	return []string{"motion_sensitivity", "motion_indicator_color", "motion_timeout", "motion_tracking", "motion_detection"}
}

// setRegionOfInterest is set_region_of_interest&x0&y0&x1&y1&motion_sensitivity&…: every
// parameter given is validated with the whole configuration and written to motion.conf, or
// nothing is written and the answer is 400 naming the key. The firmware's restart_server is
// ignored: the camera applies motion.conf on reload. With motion_detection the motion service
// is started or stopped to match.
func (h *Handlers) setRegionOfInterest(w http.ResponseWriter, r *http.Request, cmd string) {
	edits := make(map[string]string)
	var rect []string
	for _, k := range []string{"x0", "y0", "x1", "y1"} {
		if v := strings.TrimSpace(r.FormValue(k)); v != "" {
			rect = append(rect, v)
		}
	}
	switch len(rect) {
	case 0:
	case 4:
		edits["region_of_interest"] = strings.Join(rect, ",")
	default:
		text(w, http.StatusBadRequest, "%s: region_of_interest: give all of x0, y0, x1 and y1, or none", cmd)
		return
	}
	for _, k := range roiKeys() {
		if _, ok := r.Form[k]; ok {
			edits[k] = strings.TrimSpace(r.FormValue(k))
		}
	}
	if len(edits) == 0 {
		text(w, http.StatusBadRequest, "%s: nothing to set: give x0, y0, x1, y1 or one of %s", cmd, strings.Join(roiKeys(), ", "))
		return
	}
	if !h.saveMotion(w, cmd, edits) {
		return
	}
	if _, ok := edits["motion_detection"]; ok {
		if !h.motionService(w, r, cmd, h.cam.Config().Motion.Enabled()) {
			return
		}
	}
	text(w, http.StatusOK, "motion.conf saved")
}
