package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/freecam/freecam/internal/event"
)

// ErrUnknown is returned for a name no service is registered under.
var ErrUnknown = errors.New("unknown service")

// ManagerOptions configures a Manager. The zero value is usable: no autorun, no events, no logs.
type ManagerOptions struct {
	// ConfigDir is the config directory; autorun files live in ConfigDir/autostart. Empty
	// disables autorun: StartAutostart starts nothing and SetAutostart fails.
	ConfigDir string
	// DefaultAutostart is the set written when the autostart directory does not exist yet.
	// nil means DefaultAutostart() (rtsp, auto-night and onvif); an empty non-nil slice means none.
	DefaultAutostart []string
	// OnUnlessOff names services that start at boot unless the user turned them off (the file
	// autostart/<name>.off), rather than only when their autostart file exists.
	OnUnlessOff []string
	// Bus, if set, receives an event.ServiceState event for every state change.
	Bus *event.Bus
	// Log receives start failures at boot and state changes. Default: discard.
	Log *slog.Logger
}

// Info is one row of Manager.List.
type Info struct {
	Name      string
	Autostart bool
	Status
}

// Manager holds the services in registration order: it starts, stops and restarts them by name,
// keeps their autorun files, starts the autorun set at boot and stops everything in reverse. It
// is safe for concurrent use; it calls each service's Start and Stop without holding its own lock.
type Manager struct {
	opts ManagerOptions
	dir  autostartDir // zero path when autorun is disabled

	mu       sync.Mutex
	services []Service
	byName   map[string]Service
}

// NewManager makes a Manager. It touches nothing on disk.
func NewManager(opts ManagerOptions) *Manager {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.DefaultAutostart == nil {
		opts.DefaultAutostart = DefaultAutostart()
	}
	m := &Manager{opts: opts, byName: make(map[string]Service)}
	if opts.ConfigDir != "" {
		m.dir = autostartDir{path: filepath.Join(opts.ConfigDir, "autostart"), defaults: opts.DefaultAutostart,
			onUnlessOff: opts.OnUnlessOff}
	}
	return m
}

// Register adds s after the services already registered; StartAutostart starts in this order and
// StopAll stops in reverse. The name must be usable as a file name and must not be taken, nor
// be one of the firmware's aliases (see Canonical).
func (m *Manager) Register(s Service) error {
	name := s.Name()
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("service: register %q: not a valid service name", name)
	}
	if c := Canonical(name); c != name {
		return fmt.Errorf("service: register %q: that is the firmware's name for %q; register %q", name, c, c)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byName[name]; dup {
		return fmt.Errorf("service: register %q: already registered", name)
	}
	m.services = append(m.services, s)
	m.byName[name] = s
	if n, ok := s.(Notifier); ok {
		n.Notify(func(st Status) { m.publish(name, st) })
	}
	return nil
}

// lookup finds a service by its name or a firmware alias of it.
func (m *Manager) lookup(name string) (Service, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.byName[Canonical(name)]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("service %q: %w", name, ErrUnknown)
}

// registered returns a copy of the services in registration order.
func (m *Manager) registered() []Service {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Service(nil), m.services...)
}

// Start starts the named service (a firmware name works too). ctx bounds the start call.
func (m *Manager) Start(ctx context.Context, name string) error {
	s, err := m.lookup(name)
	if err != nil {
		return err
	}
	return m.do(s, func() error { return s.Start(ctx) })
}

// Stop stops the named service and waits for it within ctx.
func (m *Manager) Stop(ctx context.Context, name string) error {
	s, err := m.lookup(name)
	if err != nil {
		return err
	}
	return m.do(s, func() error { return s.Stop(ctx) })
}

// Restart stops the named service and starts it again (a Failed service starts afresh).
func (m *Manager) Restart(ctx context.Context, name string) error {
	s, err := m.lookup(name)
	if err != nil {
		return err
	}
	return m.do(s, func() error {
		if err := s.Stop(ctx); err != nil {
			return err
		}
		return s.Start(ctx)
	})
}

// do runs op on s and, for a service that does not notify its own changes, publishes the
// change op made.
func (m *Manager) do(s Service, op func() error) error {
	if _, ok := s.(Notifier); ok {
		return op()
	}
	before := s.Status().State
	err := op()
	if st := s.Status(); st.State != before {
		m.publish(s.Name(), st)
	}
	return err
}

// Status reports the named service's status.
func (m *Manager) Status(name string) (Status, error) {
	s, err := m.lookup(name)
	if err != nil {
		return Status{}, err
	}
	return s.Status(), nil
}

// List reports every service in registration order with its autorun flag. If the autostart
// directory cannot be read, the flags are false and the error is logged.
func (m *Manager) List() []Info {
	on, err := m.enabled()
	if err != nil {
		m.opts.Log.Warn("service: cannot read the autostart directory", "err", err)
	}
	svcs := m.registered()
	out := make([]Info, 0, len(svcs))
	for _, s := range svcs {
		out = append(out, Info{Name: s.Name(), Autostart: on[s.Name()], Status: s.Status()})
	}
	return out
}

// Autostart reports whether the named service starts at boot.
func (m *Manager) Autostart(name string) (bool, error) {
	s, err := m.lookup(name)
	if err != nil {
		return false, err
	}
	on, err := m.enabled()
	return on[s.Name()], err
}

func (m *Manager) enabled() (map[string]bool, error) {
	if m.dir.path == "" {
		return map[string]bool{}, nil
	}
	on, _, err := m.dir.enabled()
	return on, err
}

// SetAutostart turns autorun of the named service on (writes ConfigDir/autostart/<name>
// atomically, unless a file for it, perhaps the firmware's, already exists) or off (removes
// its file and the firmware's alias files). It does not start or stop the service.
func (m *Manager) SetAutostart(name string, on bool) error {
	s, err := m.lookup(name)
	if err != nil {
		return err
	}
	if m.dir.path == "" {
		return fmt.Errorf("service %s: autostart: no config directory", s.Name())
	}
	if err := m.dir.set(s.Name(), on); err != nil {
		return fmt.Errorf("service %s: %w", s.Name(), err)
	}
	m.opts.Log.Info("service: autostart changed", "service", s.Name(), "on", on)
	return nil
}

// StartAutostart is the boot step: it creates the autostart directory with the default set if it
// does not exist, then starts every registered service that has an autostart file, in
// registration order. A service that fails to start is logged and shows Failed in List; the
// others still start. The error reports only a problem with the autostart directory.
func (m *Manager) StartAutostart(ctx context.Context) error {
	if m.dir.path == "" {
		return nil
	}
	created, err := m.dir.ensure()
	if err != nil {
		return err
	}
	if created {
		m.opts.Log.Info("service: created the autostart directory with the default set",
			"dir", m.dir.path, "services", m.opts.DefaultAutostart)
	}
	on, _, err := m.dir.enabled()
	if err != nil {
		return err
	}
	known := make(map[string]bool)
	for _, s := range m.registered() {
		known[s.Name()] = true
		if !on[s.Name()] {
			continue
		}
		if err := m.do(s, func() error { return s.Start(ctx) }); err != nil {
			m.opts.Log.Error("service: autostart failed", "service", s.Name(), "err", err)
		}
	}
	for n := range on {
		if !known[n] {
			m.opts.Log.Debug("service: autostart file for a service freecam does not have; ignored", "name", n)
		}
	}
	return nil
}

// StopAll stops every service in reverse registration order, each within ctx, and returns the
// errors of those that did not stop. It does not change autorun.
func (m *Manager) StopAll(ctx context.Context) error {
	svcs := m.registered()
	var errs []error
	for i := len(svcs) - 1; i >= 0; i-- {
		s := svcs[i]
		if err := m.do(s, func() error { return s.Stop(ctx) }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// publish sends a state change to the bus. The error is set for Backoff and Failed only.
func (m *Manager) publish(name string, st Status) {
	m.opts.Log.Debug("service: state", "service", name, "state", st.State)
	if m.opts.Bus == nil {
		return
	}
	ev := event.Event{Kind: event.ServiceState, Time: st.Since, Service: name, State: string(st.State)}
	if st.LastErr != nil && (st.State == Backoff || st.State == Failed) {
		ev.Err = st.LastErr.Error()
	}
	m.opts.Bus.Publish(ev)
}
