package firmware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/web/auth"
)

// Guard wraps a handler so that it runs only for a user whose role allows need. The web server
// provides it.
type Guard func(need auth.Role, h http.Handler) http.Handler

// Handlers serves the firmware's CGI URLs for one camera. It is safe for concurrent use.
type Handlers struct {
	cam     camera.Camera
	log     *slog.Logger
	actions map[string]action
}

// New returns the handlers for cam. log receives server-side failures (nil: discard).
func New(cam camera.Camera, log *slog.Logger) *Handlers {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handlers{cam: cam, log: log.With("component", "firmware-cgi")}
	h.actions = h.actionTable()
	return h
}

// Register adds the CGI URLs to mux: the pictures and state.cgi for viewers, action.cgi for
// admins. GET and POST are both accepted, as the firmware's func.cgi read both.
func (h *Handlers) Register(mux *http.ServeMux, guard Guard) {
	viewer := map[string]http.HandlerFunc{
		"/cgi-bin/currentpic.cgi":      h.currentPic,
		"/cgi-bin/currentpicoptim.cgi": h.currentPicOptim,
		"/cgi-bin/downloadpic.cgi":     h.downloadPic,
		"/cgi-bin/state.cgi":           h.state,
	}
	for path, fn := range viewer {
		mux.Handle("GET "+path, guard(auth.Viewer, fn))
		mux.Handle("POST "+path, guard(auth.Viewer, fn))
	}
	mux.Handle("GET /cgi-bin/action.cgi", guard(auth.Admin, http.HandlerFunc(h.action)))
	mux.Handle("POST /cgi-bin/action.cgi", guard(auth.Admin, http.HandlerFunc(h.action)))
}

// text writes a plain-text response: format followed by a newline, as the firmware's echo did.
func text(w http.ResponseWriter, code int, format string, args ...any) {
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, format+"\n", args...)
}

// onOff is the firmware's status word.
func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}

// fail answers err of doing what: 503 when the request ended or the camera is busy or failing,
// 409 for a service freecam does not run. The message is the camera's, which is written for
// users.
func (h *Handlers) fail(w http.ResponseWriter, what string, err error) {
	code := http.StatusServiceUnavailable
	if errors.Is(err, service.ErrUnknown) {
		code = http.StatusConflict
	}
	if !errors.Is(err, context.Canceled) {
		h.log.Warn("cgi command failed", "cmd", what, "err", err)
	}
	text(w, code, "%s: %v", what, err)
}

// clip shortens untrusted input before it is quoted into a response.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
