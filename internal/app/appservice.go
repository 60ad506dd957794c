package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/service"
)

// Some services outlive reloads. A reload restarts the video parts and the services, but an
// MQTT connection that went offline and online for every motion setting changed from Home
// Assistant would make its entities flicker, and the system settings (network, swap, clock) and
// the mDNS announcements are the machine's, not the video's. So the App owns one supervisor for
// each; each instance's service manager sees it through appServiceProxy, whose Start and Stop
// are skipped during a reload that keeps the service running.
type appService struct {
	sup *service.Supervisor
	// keep is set while a reload that keeps this service stops the old instance.
	keep atomic.Bool
}

// newAppService supervises run as the service name. The supervisor publishes its own state
// changes on the bus, once, whatever instance is running.
func (a *App) newAppService(name string, run func(ctx context.Context) error, log *slog.Logger) *appService {
	s := &appService{sup: service.Supervised(name, run, service.Options{Log: log})}
	s.sup.Notify(func(st service.Status) {
		ev := event.Event{Kind: event.ServiceState, Time: st.Since, Service: name, State: string(st.State)}
		if st.LastErr != nil && (st.State == service.Backoff || st.State == service.Failed) {
			ev.Err = st.LastErr.Error()
		}
		a.bus.Publish(ev)
	})
	return s
}

// appServiceProxy is an App service as one instance's manager sees it.
type appServiceProxy struct{ s *appService }

func (p appServiceProxy) Name() string { return p.s.sup.Name() }

// Start starts the service, except while a reload keeps it (it runs already, and the reload
// may have been asked for by an MQTT command that the connection is still handling).
func (p appServiceProxy) Start(ctx context.Context) error {
	if p.s.keep.Load() {
		return nil
	}
	return p.s.sup.Start(ctx)
}

func (p appServiceProxy) Status() service.Status { return p.s.sup.Status() }

// Stop stops the service, except while a reload keeps it.
func (p appServiceProxy) Stop(ctx context.Context) error {
	if p.s.keep.Load() {
		return nil
	}
	return p.s.sup.Stop(ctx)
}

// Notify makes the manager leave the publishing of state changes to the supervisor's own hook.
func (p appServiceProxy) Notify(func(service.Status)) {}

// stop ends the service at the end of Run (the instance's stop may have kept it).
func (s *appService) stop(a *App) {
	if s == nil {
		return
	}
	s.keep.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	if err := s.sup.Stop(ctx); err != nil {
		a.log.Warn("stopping "+s.sup.Name(), "err", errors.Join(errAppServiceStopTimeout, err))
	}
}

var errAppServiceStopTimeout = errors.New("the service did not stop in time")

// appServices are the App's services by name, nil entries for those not made yet.
func (a *App) appServices() map[string]*appService {
	return map[string]*appService{"mqtt": a.mqtt, "system": a.system, "mdns": a.mdns}
}

// controlAppService is ServiceControl for an App service. It does not take a.mu: there is no
// instance to serialise with (and the MQTT connection being stopped may itself be waiting to
// read the camera).
func (a *App) controlAppService(ctx context.Context, s *appService, action string) error {
	inst, _ := a.current()
	if inst == nil || s == nil {
		return errNotRunning
	}
	ctx, cancel := context.WithTimeout(ctx, a.opts.StopTimeout)
	defer cancel()
	name := s.sup.Name()
	switch action {
	case "start":
		return s.sup.Start(ctx)
	case "stop":
		return s.sup.Stop(ctx)
	case "restart":
		if err := s.sup.Stop(ctx); err != nil {
			return err
		}
		return s.sup.Start(ctx)
	case "enable", "disable":
		return inst.services.SetAutostart(name, action == "enable")
	}
	return fmt.Errorf("service %s: unknown action %q; want start, stop, restart, enable or disable", name, action)
}
