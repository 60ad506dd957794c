package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/eventlog"
)

// eventCount is how many events the timeline shows; logCount how many log lines.
const (
	eventCount = 200
	logCount   = 500
)

type eventView struct {
	camera.Event
	ThumbURL string // "" when there is none
	ClipURL  string
}

func (u *UI) events(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r, "Events")
	var evs []eventView
	for _, e := range u.cam.Events(eventCount) {
		ev := eventView{Event: e}
		if e.Thumb && eventlog.ValidID(e.ID) {
			ev.ThumbURL = "/events/" + e.ID + "/thumb.jpg"
		}
		if e.Clip != "" {
			ev.ClipURL = mediaURL(e.Clip)
		}
		evs = append(evs, ev)
	}
	v.Data = evs
	u.render(w, http.StatusOK, "events", v)
}

// mediaURL is /media/ plus the clip's path, each segment escaped; "" for a path that climbs out.
func mediaURL(clip string) string {
	parts := strings.Split(strings.TrimPrefix(clip, "/"), "/")
	for i, p := range parts {
		if p == "" || p == "." || p == ".." {
			return ""
		}
		parts[i] = url.PathEscape(p)
	}
	return "/media/" + strings.Join(parts, "/")
}

func (u *UI) thumb(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !eventlog.ValidID(id) {
		http.Error(w, "bad event id", http.StatusBadRequest)
		return
	}
	b, ok := u.cam.Thumb(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "private, max-age=3600")
	w.Write(b)
}

type logView struct {
	camera.LogLine
	Class string
}

func (u *UI) logs(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r, "Logs")
	var lines []logView
	for _, l := range u.cam.Logs(logCount) {
		lines = append(lines, logView{LogLine: l, Class: levelClass(l.Level)})
	}
	v.Data = lines
	u.render(w, http.StatusOK, "logs", v)
}

// levelClass maps a log level to a CSS class.
func levelClass(level string) string {
	switch strings.ToLower(level) {
	case "debug":
		return "lvl-debug"
	case "warn", "warning":
		return "lvl-warn"
	case "error":
		return "lvl-error"
	}
	return "lvl-info"
}
