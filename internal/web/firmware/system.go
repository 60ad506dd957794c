package firmware

import (
	"net/http"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/service"
)

// showlogLines is how many of freecam's log lines showlog returns.
const showlogLines = 500

// addSystem adds snapshot, rtsp_start, rtsp_stop, reboot and showlog.
func (h *Handlers) addSystem(t map[string]action) {
	t["snapshot"] = func(w http.ResponseWriter, r *http.Request, _ string) {
		h.cam.CurrentPic().ServeHTTP(w, r)
	}
	rtsp := func(op string) action {
		return func(w http.ResponseWriter, r *http.Request, cmd string) {
			if err := h.cam.ServiceControl(r.Context(), "rtsp", op); err != nil {
				h.fail(w, cmd, err)
				return
			}
			text(w, http.StatusOK, "%s", onOff(h.serviceRunning("rtsp")))
		}
	}
	t["rtsp_start"] = rtsp("start")
	t["rtsp_stop"] = rtsp("stop")
	t["reboot"] = func(w http.ResponseWriter, _ *http.Request, _ string) {
		text(w, http.StatusOK, "restarting freecam (the camera's operating system keeps running)")
		h.cam.Restart()
	}
	// showlog returns freecam's own log whatever logname asks for: the firmware's other logs
	// (dmesg, logcat, ps, mount …) are not freecam's to show.
	t["showlog"] = func(w http.ResponseWriter, _ *http.Request, _ string) {
		var b strings.Builder
		for _, l := range h.cam.Logs(showlogLines) {
			b.WriteString(l.Time.Format(time.DateTime))
			b.WriteByte(' ')
			b.WriteString(l.Level)
			b.WriteByte(' ')
			b.WriteString(strings.ReplaceAll(l.Message, "\n", " "))
			b.WriteByte('\n')
		}
		text(w, http.StatusOK, "%s", strings.TrimSuffix(b.String(), "\n"))
	}
}

// serviceRunning reports whether the named service is running.
func (h *Handlers) serviceRunning(name string) bool {
	for _, s := range h.cam.Services() {
		if s.Name == name {
			return s.State == service.Running
		}
	}
	return false
}
