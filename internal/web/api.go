package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/web/auth"
)

// The JSON API, /api/v1/…, documented in docs/api.md and docs/openapi.json. Reading needs a
// viewer, changing anything an admin. Bodies are JSON objects of at most 64 KiB; errors are
// {"error": "…"} with the matching status, and refused settings 422 {"error", "fields"}.
func (s *Server) registerAPI(mux *http.ServeMux) {
	view := func(pattern string, h http.HandlerFunc) {
		s.apiRoutes = append(s.apiRoutes, pattern)
		mux.Handle(pattern, s.guard(auth.Viewer, h))
	}
	admin := func(pattern string, h http.HandlerFunc) {
		s.apiRoutes = append(s.apiRoutes, pattern)
		mux.Handle(pattern, s.guard(auth.Admin, h))
	}

	view("GET /api/v1/status", s.apiStatus)
	view("GET /api/v1/hardware", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.opts.Camera.Hardware()) })
	admin("PUT /api/v1/hardware/{switch}", s.apiSetSwitch)
	view("GET /api/v1/night", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.opts.Camera.Night()) })
	admin("PUT /api/v1/night", s.apiSetNight)
	admin("POST /api/v1/motor/move", s.apiMove)
	admin("POST /api/v1/motor/moveto", s.apiMoveTo)
	admin("POST /api/v1/motor/calibrate", s.apiCalibrate)
	view("GET /api/v1/system", s.apiSystem)
	view("GET /api/v1/motion", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.opts.Camera.Motion()) })
	view("GET /api/v1/services", s.apiServices)
	admin("POST /api/v1/services/{name}/{action}", s.apiServiceControl)
	view("GET /api/v1/deliveries", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, orEmpty(s.opts.Camera.Deliveries()))
	})
	view("GET /api/v1/events", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, orEmpty(s.opts.Camera.Events(countParam(r, 100, 1000))))
	})
	admin("GET /api/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, orEmpty(s.opts.Camera.Logs(countParam(r, 200, 1000))))
	})
	admin("GET /api/v1/settings/{page}", s.apiSettings)
	admin("PUT /api/v1/settings/{page}", s.apiSaveSettings)
	admin("GET /api/v1/users", s.apiUsers)
	admin("PUT /api/v1/users/{name}", s.apiSetUser)
	admin("DELETE /api/v1/users/{name}", s.apiDeleteUser)
	admin("GET /api/v1/config/backup", s.apiBackup)
	admin("POST /api/v1/config/restore", s.apiRestore)
	admin("GET /api/v1/update", s.apiUpdate)
	admin("POST /api/v1/update/check", s.apiUpdateCheck)
	admin("POST /api/v1/update/apply", s.apiUpdateApply)
	admin("POST /api/v1/restart", func(w http.ResponseWriter, r *http.Request) {
		s.opts.Camera.Restart()
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "restarting"})
	})
	view("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		u, _ := auth.UserFrom(r.Context())
		writeJSON(w, http.StatusOK, map[string]string{"name": u.Name, "role": string(u.Role), "via": u.Via})
	})
	// Unknown API paths answer JSON too (after authentication).
	view("/api/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, fmt.Errorf("no such API call: %s %s", r.Method, r.URL.Path))
	})
}

type statusResponse struct {
	camera.Status
	Night    camera.NightState  `json:"night"`
	Motion   camera.MotionState `json:"motion"`
	Hardware hal.State          `json:"hardware"`
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	cam := s.opts.Camera
	st := cam.Status()
	st.RTSPURL = camera.URLForClient(st.RTSPURL, r.Host)
	writeJSON(w, http.StatusOK, statusResponse{Status: st, Night: cam.Night(), Motion: cam.Motion(), Hardware: cam.Hardware()})
}

func (s *Server) apiSetSwitch(w http.ResponseWriter, r *http.Request) {
	sw := camera.Switch(r.PathValue("switch"))
	switch sw {
	case camera.BlueLED, camera.YellowLED, camera.IRLED, camera.IRCut:
	default:
		apiError(w, http.StatusNotFound, fmt.Errorf("no switch %q (blue_led, yellow_led, ir_led or ir_cut)", sw))
		return
	}
	var body struct {
		On *bool `json:"on"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.On == nil {
		apiError(w, http.StatusBadRequest, errors.New(`body must be {"on": true} or {"on": false}`))
		return
	}
	if err := s.opts.Camera.SetSwitch(r.Context(), sw, *body.On); err != nil {
		apiError(w, http.StatusConflict, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Camera.Hardware())
}

func (s *Server) apiSetNight(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Mode camera.NightMode `json:"mode"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch body.Mode {
	case camera.Day, camera.Night, camera.Auto:
	default:
		apiError(w, http.StatusBadRequest, fmt.Errorf(`mode must be "day", "night" or "auto" (got %q)`, body.Mode))
		return
	}
	if err := s.opts.Camera.SetNightMode(r.Context(), body.Mode); err != nil {
		apiError(w, http.StatusConflict, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Camera.Night())
}

func (s *Server) apiMove(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DX int `json:"dx"`
		DY int `json:"dy"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	s.motorResult(w, func() (hal.Move, error) { return s.opts.Camera.Move(r.Context(), body.DX, body.DY) })
}

func (s *Server) apiMoveTo(w http.ResponseWriter, r *http.Request) {
	var body hal.Position
	if !readJSON(w, r, &body) {
		return
	}
	s.motorResult(w, func() (hal.Move, error) { return s.opts.Camera.MoveTo(r.Context(), body) })
}

func (s *Server) motorResult(w http.ResponseWriter, move func() (hal.Move, error)) {
	if !s.opts.Camera.Hardware().HasMotor {
		apiError(w, http.StatusNotFound, errors.New("this camera has no motor"))
		return
	}
	m, err := move()
	if err != nil {
		apiError(w, http.StatusConflict, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) apiCalibrate(w http.ResponseWriter, r *http.Request) {
	if !s.opts.Camera.Hardware().HasMotor {
		apiError(w, http.StatusNotFound, errors.New("this camera has no motor"))
		return
	}
	if err := s.opts.Camera.Calibrate(r.Context()); err != nil {
		apiError(w, http.StatusConflict, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Camera.Hardware().Motor)
}

// serviceJSON is a service as the API shows it.
type serviceJSON struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	Autostart bool   `json:"autostart"`
	Restarts  int    `json:"restarts"`
	LastError string `json:"last_error,omitempty"`
}

func (s *Server) services() []serviceJSON {
	list := s.opts.Camera.Services()
	out := make([]serviceJSON, len(list))
	for i, in := range list {
		out[i] = serviceJSON{Name: in.Name, State: string(in.Status.State), Autostart: in.Autostart, Restarts: in.Status.Restarts}
		if in.Status.LastErr != nil {
			out[i].LastError = in.Status.LastErr.Error()
		}
	}
	return out
}

func (s *Server) apiServices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.services())
}

func (s *Server) apiServiceControl(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("name"), r.PathValue("action")
	if err := s.opts.Camera.ServiceControl(r.Context(), name, action); err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	for _, sv := range s.services() {
		if sv.Name == name {
			writeJSON(w, http.StatusOK, sv)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": name})
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Auth.Users())
}

func (s *Server) apiSetUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Role     auth.Role `json:"role"`
		Password string    `json:"password"`
		Digest   bool      `json:"digest"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Role == "" {
		body.Role = auth.Viewer
	}
	if err := s.opts.Auth.SetPassword(r.PathValue("name"), body.Role, body.Password, body.Digest); err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	s.log.Info("account changed through the API", "user", r.PathValue("name"), "role", body.Role)
	writeJSON(w, http.StatusOK, s.opts.Auth.Users())
}

func (s *Server) apiDeleteUser(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Auth.DeleteUser(r.PathValue("name")); err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Auth.Users())
}

// orEmpty makes a nil list an empty JSON array rather than null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func countParam(r *http.Request, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}

const maxBody = 64 << 10

// readJSON decodes the request body into v, answering 400 itself when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		apiError(w, http.StatusBadRequest, fmt.Errorf("bad JSON body: %w", err))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func apiError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
