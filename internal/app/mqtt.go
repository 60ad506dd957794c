package app

import (
	"context"
	"net"
	"path/filepath"

	"github.com/freecam/freecam/internal/mqtt"
)

// newMQTTService builds the mqtt service (an App service: see appservice.go). Each run reads the
// configuration in use at its start, so a restart of the service applies a changed mqtt.conf.
func (a *App) newMQTTService() *appService {
	log := a.log // the bridge names its component
	return a.newAppService("mqtt", func(ctx context.Context) error {
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
	}, log.With("component", "mqtt"))
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
