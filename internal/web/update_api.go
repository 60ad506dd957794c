package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/freecam/freecam/internal/web/auth"
)

// Signed updates (admin only): GET /api/v1/update is the state (camera.UpdateState);
// POST /api/v1/update/check fetches the manifest and answers the new state; POST
// /api/v1/update/apply starts the install and answers 202 at once, its progress in GET's
// percentage, after which the camera restarts into the new binary; with nothing newer found by
// the last check (or no check yet) it answers 409 at once. Both POSTs go through the
// guard's CSRF and cross-site checks like every state-changing route.

// updateCheckTimeout bounds a check asked for over the API (a slow update server).
const updateCheckTimeout = time.Minute

func (s *Server) apiUpdate(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Camera.Update())
}

// updateBusy refuses a check or an install while updates are not set up or off (update.conf has
// errors: the state's error says which) or one runs (409).
func (s *Server) updateBusy(w http.ResponseWriter) bool {
	st := s.opts.Camera.Update()
	var err error
	switch {
	case !st.Configured && st.Error != "":
		err = errors.New(st.Error) // updates are off: update.conf has errors
	case !st.Configured:
		err = errors.New("updates are not set up: set UPDATE_MANIFEST_URL in update.conf")
	case st.Restarting:
		err = errors.New("an update is installed; the camera is restarting into it")
	case st.InProgress:
		err = errors.New("an update is being installed")
	case st.Checking:
		err = errors.New("an update check is running; try again in a moment")
	}
	if err != nil {
		apiError(w, http.StatusConflict, err)
		return true
	}
	return false
}

func (s *Server) apiUpdateCheck(w http.ResponseWriter, r *http.Request) {
	if s.updateBusy(w) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), updateCheckTimeout)
	defer cancel()
	if err := s.opts.Camera.UpdateCheck(ctx); err != nil {
		// The manifest could not be fetched or did not verify: the update server's fault.
		apiError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Camera.Update())
}

func (s *Server) apiUpdateApply(w http.ResponseWriter, r *http.Request) {
	if s.updateBusy(w) {
		return
	}
	// Nothing to install is known before the install starts: say so now, not as the error of
	// an install that was accepted.
	switch st := s.opts.Camera.Update(); {
	case st.Latest == "":
		apiError(w, http.StatusConflict, errors.New("no update check has reached the manifest yet: check for updates first"))
		return
	case !st.Available:
		apiError(w, http.StatusConflict, fmt.Errorf("nothing newer to install: the last check found %s, and %s runs", st.Latest, st.Installed))
		return
	}
	if err := s.opts.Camera.UpdateApply(r.Context()); err != nil {
		apiError(w, http.StatusConflict, err)
		return
	}
	u, _ := auth.UserFrom(r.Context())
	s.log.Info("update install started", "user", u.Name)
	writeJSON(w, http.StatusAccepted, s.opts.Camera.Update())
}
