package ui

import (
	"context"
	"fmt"
	"net/http"

	"github.com/freecam/freecam/internal/service"
)

type servicesData struct {
	Services []service.Info
}

func (u *UI) services(w http.ResponseWriter, r *http.Request) {
	u.renderServices(w, r, http.StatusOK, "")
}

func (u *UI) renderServices(w http.ResponseWriter, r *http.Request, status int, problem string) {
	v := u.newView(r, "Services")
	v.Flash = flashFor(r)
	v.Error = problem
	v.Data = servicesData{Services: u.cam.Services()}
	u.render(w, status, "services", v)
}

// serviceControl runs start, stop, restart, enable (autorun on) or disable on a listed service.
func (u *UI) serviceControl(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("name"), r.PathValue("action")
	switch action {
	case "start", "stop", "restart", "enable", "disable":
	default:
		u.renderServices(w, r, http.StatusBadRequest, fmt.Sprintf("unknown action %q: use start, stop, restart, enable or disable", action))
		return
	}
	known := false
	for _, s := range u.cam.Services() {
		known = known || s.Name == name
	}
	if !known {
		u.renderServices(w, r, http.StatusNotFound, fmt.Sprintf("no service %q", name))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), controlTimeout)
	defer cancel()
	if err := u.cam.ServiceControl(ctx, name, action); err != nil {
		u.renderServices(w, r, http.StatusInternalServerError, fmt.Sprintf("%s %s: %v", action, name, err))
		return
	}
	back(w, r, "/services", "done")
}
