package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync/atomic"

	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mqtt"
	"github.com/freecam/freecam/internal/service"
)

// The mqtt service outlives reloads. A reload restarts the video parts and the services, but an
// MQTT connection that went offline and online for every motion setting changed from Home
// Assistant would make its entities flicker, and a command that saves a setting would wait, in
// the connection's own message goroutine, for that connection to stop. So the App owns one
// supervisor; each instance's service manager sees it through mqttProxy, whose Stop is skipped
// during a reload that leaves mqtt.conf as it was.
type mqttService struct {
	sup *service.Supervisor
	// keep is set while a reload that does not change mqtt.conf stops the old instance.
	keep atomic.Bool
}

// newMQTTService builds the supervisor. Each run reads the configuration in use at its start, so
// a restart of the service applies a changed mqtt.conf.
func (a *App) newMQTTService() *mqttService {
	log := a.log // the bridge names its component
	ms := &mqttService{}
	ms.sup = service.Supervised("mqtt", func(ctx context.Context) error {
		// At boot the services start just before the camera is published as running: wait.
		if a.waitRunning(ctx) == nil {
			return errNotRunning
		}
		_, cfg := a.current()
		b, err := mqtt.New(mqtt.Options{
			Config:   cfg.MQTT,
			Camera:   webCamera{a},
			Bus:      &a.bus,
			Version:  a.opts.Version,
			WebURL:   a.reachableWebURL(),
			SpoolDir: filepath.Join(a.opts.DataDir, "mqtt-queue"),
			Log:      log,
		})
		if err != nil {
			return err
		}
		return b.Run(ctx)
	}, service.Options{Log: log.With("component", "mqtt")})
	// The supervisor publishes its own state changes, once, whatever instance is running.
	ms.sup.Notify(func(st service.Status) {
		ev := event.Event{Kind: event.ServiceState, Time: st.Since, Service: "mqtt", State: string(st.State)}
		if st.LastErr != nil && (st.State == service.Backoff || st.State == service.Failed) {
			ev.Err = st.LastErr.Error()
		}
		a.bus.Publish(ev)
	})
	return ms
}

// mqttProxy is the App's mqtt service as one instance's manager sees it.
type mqttProxy struct{ ms *mqttService }

func (p mqttProxy) Name() string { return "mqtt" }

// Start starts the connection, except while a reload keeps it (it runs already, and the reload
// may have been asked for by an MQTT command that the connection is still handling).
func (p mqttProxy) Start(ctx context.Context) error {
	if p.ms.keep.Load() {
		return nil
	}
	return p.ms.sup.Start(ctx)
}
func (p mqttProxy) Status() service.Status { return p.ms.sup.Status() }

// Stop stops the connection, except while a reload keeps it.
func (p mqttProxy) Stop(ctx context.Context) error {
	if p.ms.keep.Load() {
		return nil
	}
	return p.ms.sup.Stop(ctx)
}

// Notify makes the manager leave the publishing of state changes to the supervisor's own hook.
func (p mqttProxy) Notify(func(service.Status)) {}

var errMQTTStopTimeout = errors.New("mqtt: the connection did not stop in time")

// stopMQTT ends the connection at the end of Run (the instance's stop may have kept it).
func (a *App) stopMQTT() {
	if a.mqtt == nil {
		return
	}
	a.mqtt.keep.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	if err := a.mqtt.sup.Stop(ctx); err != nil {
		a.log.Warn("stopping mqtt", "err", errors.Join(errMQTTStopTimeout, err))
	}
}

// reachableWebURL is the web UI's address as another machine (Home Assistant) reaches it: the
// first non-loopback IPv4 address when the server listens on every interface.
func (a *App) reachableWebURL() string {
	w := a.web
	if w == nil {
		return ""
	}
	host, port, err := net.SplitHostPort(w.HTTPSAddr())
	if err != nil {
		return w.URL()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if addr := primaryIPv4(); addr != "" {
			host = addr
		} else {
			host = "localhost"
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}

// controlMQTT is ServiceControl for mqtt.
func (a *App) controlMQTT(ctx context.Context, action string) error {
	inst, _ := a.current()
	if inst == nil || a.mqtt == nil {
		return errNotRunning
	}
	ctx, cancel := context.WithTimeout(ctx, a.opts.StopTimeout)
	defer cancel()
	switch action {
	case "start":
		return a.mqtt.sup.Start(ctx)
	case "stop":
		return a.mqtt.sup.Stop(ctx)
	case "restart":
		if err := a.mqtt.sup.Stop(ctx); err != nil {
			return err
		}
		return a.mqtt.sup.Start(ctx)
	case "enable", "disable":
		return inst.services.SetAutostart("mqtt", action == "enable")
	}
	return fmt.Errorf("service mqtt: unknown action %q; want start, stop, restart, enable or disable", action)
}
