package camtest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/freecam/freecam/internal/service"
)

// Services lists the services: rtsp and auto-night running with autorun, motion, recording,
// timelapse and mqtt stopped.
func (c *Camera) Services() []service.Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.services)
}

// ServiceControl runs start, stop, restart, enable or disable on a service (firmware names such
// as auto-night-detection work too). An unknown name is service.ErrUnknown; an unknown action an
// error. Starting or stopping auto-night turns auto night on or off.
func (c *Camera) ServiceControl(ctx context.Context, name, action string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("ServiceControl %s %s", name, action)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.fail["ServiceControl"]; err != nil {
		return err
	}
	i := c.service(service.Canonical(name))
	if i < 0 {
		return fmt.Errorf("service %q: %w", name, service.ErrUnknown)
	}
	s := &c.services[i]
	switch action {
	case "start", "restart":
		s.State, s.Since, s.LastErr = service.Running, time.Now(), nil
	case "stop":
		s.State, s.Since = service.Stopped, time.Now()
	case "enable":
		s.Autostart = true
	case "disable":
		s.Autostart = false
	default:
		return fmt.Errorf("service %q: unknown action %q (want start, stop, restart, enable or disable)", name, action)
	}
	if s.Name == "auto-night" {
		c.night.Auto = s.State == service.Running
	}
	return nil
}

// service returns the index of the named service, -1 if none. Called with c.mu held.
func (c *Camera) service(name string) int {
	return slices.IndexFunc(c.services, func(s service.Info) bool { return s.Name == name })
}
