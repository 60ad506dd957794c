package mdns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brutella/dnssd"

	"github.com/freecam/freecam/internal/conf"
)

// ErrNoInterface is returned by Run when no interface can carry mDNS: none is up with the
// multicast flag and an address (or none of Options.Interfaces is). Run does not wait for one: the
// caller (freecam's service supervisor) runs it again later with its backoff.
var ErrNoInterface = errors.New("mdns: no interface is up with multicast and an address")

// Options configure a Responder. The zero value announces nothing under the OS host name.
type Options struct {
	// Host is the name answered as <Host>.local: hostname.conf's value. Only its first label is
	// used (cam.example.org answers as cam.local). Default: the OS host name.
	Host string
	// Services are the listeners that run now. Update changes them later.
	Services []Service
	// Interfaces limits the answers and announcements to these interfaces. Default: every interface
	// that is up with multicast and an address.
	Interfaces []string
	// Log receives the announcements, withdrawals and name conflicts. Default: discard.
	Log *slog.Logger
}

// Responder answers <host>.local and the announced services. Run serves; Update changes the
// services while Run serves (or before). All methods are safe for concurrent use.
//
// The host record is answered while at least one service is announced: the library answers host
// queries through its services and ignores every query when it has none.
type Responder struct {
	log     *slog.Logger
	host0   string // the configured host name
	ifaces  []string
	running atomic.Bool

	// mu is held across the library's Add and Remove, which block while a new service is probed
	// (about one second, RFC 6762 §8.1) or a goodbye is sent (250 ms).
	mu      sync.Mutex
	want    []Service
	host    string          // the name in use: host0, or the library's rename after a conflict
	resp    dnssd.Responder // nil unless Run serves
	handles map[string]entry
}

type entry struct {
	svc Service
	h   dnssd.ServiceHandle
}

// New checks opts and returns a responder; nothing is sent before Run.
func New(opts Options) (*Responder, error) {
	host := opts.Host
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("mdns: no host name given and the OS has none: %w", err)
		}
		host = h
	}
	host, _, _ = strings.Cut(host, ".")
	if !conf.ValidHostname(host) {
		return nil, fmt.Errorf("mdns: host name %q: use letters, digits and '-' (hostname.conf)", host)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := &Responder{
		log:    log.With("component", "mdns"),
		host0:  host,
		host:   host,
		ifaces: append([]string(nil), opts.Interfaces...),
	}
	want, err := r.normalize(opts.Services)
	if err != nil {
		return nil, err
	}
	r.want = want
	return r, nil
}

// normalize checks services, fills in default names and refuses two instances with one name.
func (r *Responder) normalize(services []Service) ([]Service, error) {
	out := make([]Service, 0, len(services))
	seen := map[string]bool{}
	for i, s := range services {
		if s.Name == "" {
			s.Name = r.host0
		}
		if err := s.check(i); err != nil {
			return nil, err
		}
		if seen[s.key()] {
			return nil, fmt.Errorf("mdns: service %d: %s %q is listed twice", i, s.Type, s.Name)
		}
		seen[s.key()] = true
		s.Text = maps.Clone(s.Text)
		out = append(out, s)
	}
	return out, nil
}

// Host returns the name answered as <Host>.local: the configured one, or the library's rename
// (dafang-2) when another device already answered it at start.
func (r *Responder) Host() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.host
}

// Run probes the host name, announces the services and answers queries until ctx ends; then it
// sends goodbyes (TTL 0) for every announced service, closes its sockets and returns nil. It
// returns ErrNoInterface (wrapped) at once when no interface can carry mDNS, or the error that
// stopped the library. Run may be called again after it returned, not twice at once.
func (r *Responder) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("mdns: Run called twice")
	}
	defer r.running.Store(false)
	if len(dnssd.MulticastInterfaces(r.ifaces...)) == 0 {
		if len(r.ifaces) > 0 {
			return fmt.Errorf("%w among %s", ErrNoInterface, strings.Join(r.ifaces, ", "))
		}
		return ErrNoInterface
	}

	r.mu.Lock()
	want := append([]Service(nil), r.want...)
	r.mu.Unlock()
	host := r.host0
	if len(want) > 0 {
		// Probe the host name once here, before the library's responder exists, so that a rename
		// is known and logged (the library renames each service's host silently).
		s, err := r.dnssdService(want[0], host)
		if err != nil {
			return err
		}
		probed, err := dnssd.ProbeService(ctx, s)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mdns: probe %s.local: %w", host, err)
		}
		if probed.Host != host {
			r.log.Error("another device on the network already answers this name: the camera answers under the new name until hostname.conf names it uniquely",
				"taken", host+".local", "answering", probed.Host+".local")
		}
		host = probed.Host
	}

	resp, err := dnssd.NewResponder()
	if err != nil {
		return fmt.Errorf("mdns: open the mDNS sockets (UDP 5353): %w", err)
	}
	r.mu.Lock()
	r.host, r.resp, r.handles = host, resp, map[string]entry{}
	var addErr error
	for _, s := range want {
		// Before Respond the library only records the service; Respond probes and announces it.
		addErr = errors.Join(addErr, r.addLocked(s))
	}
	r.mu.Unlock()
	if addErr != nil {
		r.log.Warn("a service is not announced", "err", addErr)
	}

	// The library's readers stop on context.Canceled only (not DeadlineExceeded): give it a context
	// that is only ever cancelled.
	rctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- resp.Respond(rctx) }()
	r.log.Info("answering", "host", host+".local", "services", len(want))

	select {
	case err := <-done:
		r.mu.Lock()
		r.resp, r.handles = nil, nil
		r.mu.Unlock()
		return fmt.Errorf("mdns: responder stopped: %w", err)
	case <-ctx.Done():
	}
	// Withdraw while the library still reads its socket: its own goodbyes come back by multicast
	// loopback, and a goodbye sent after it stopped reading would block its reader for ever.
	r.mu.Lock()
	for _, e := range r.handles {
		resp.Remove(e.h)
	}
	r.resp, r.handles = nil, nil
	r.mu.Unlock()
	cancel()
	<-done
	drainReaders(resp)
	r.log.Info("stopped")
	return nil
}

// drainReaders frees the library's socket readers that read a packet just before Respond closed
// the socket: they hand it over on an unbuffered channel without watching their context, and
// nobody receives after Respond returned, so each would stay blocked for ever with its 64 KB
// buffer. Debug with a context that is already cancelled receives from that channel at most once
// and starts readers that end at once; a few rounds over 100 ms take any packet left.
func drainReaders(resp dnssd.Responder) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	noop := func(*dnssd.Request) {}
	for range 20 {
		resp.Debug(gone, noop)
		time.Sleep(5 * time.Millisecond)
	}
}

// Update replaces the announced services by services: a service no longer listed (or whose port
// or text changed) is withdrawn with a goodbye, a new one is probed and announced. The host record
// stays. Before Run (or between runs) it only records the list. It blocks about a second per new
// service while Run serves. A service that is refused is reported in the error; the others are
// applied.
func (r *Responder) Update(services []Service) error {
	want, err := r.normalize(services)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.want = want
	if r.resp == nil {
		return nil
	}
	wanted := make(map[string]Service, len(want))
	for _, s := range want {
		wanted[s.key()] = s
	}
	for k, e := range r.handles {
		if s, ok := wanted[k]; ok && s.equal(e.svc) {
			continue
		}
		r.resp.Remove(e.h)
		delete(r.handles, k)
		r.log.Info("withdrawn", "type", e.svc.Type, "name", e.svc.Name, "port", e.svc.Port)
	}
	var errs error
	for _, s := range want {
		if _, ok := r.handles[s.key()]; !ok {
			errs = errors.Join(errs, r.addLocked(s))
		}
	}
	return errs
}

// addLocked hands s to the library under r.host; r.mu is held and r.resp is set.
func (r *Responder) addLocked(s Service) error {
	ds, err := r.dnssdService(s, r.host)
	if err != nil {
		return err
	}
	h, err := r.resp.Add(ds)
	if err != nil {
		return fmt.Errorf("mdns: announce %s %q: %w", s.Type, s.Name, err)
	}
	r.handles[s.key()] = entry{svc: s, h: h}
	r.log.Info("announced", "type", s.Type, "name", s.Name, "port", s.Port)
	return nil
}

func (r *Responder) dnssdService(s Service, host string) (dnssd.Service, error) {
	ds, err := dnssd.NewService(dnssd.Config{
		Name:   s.Name,
		Type:   s.Type,
		Host:   host,
		Port:   s.Port,
		Text:   maps.Clone(s.Text),
		Ifaces: r.ifaces,
	})
	if err != nil {
		return ds, fmt.Errorf("mdns: %s %q: %w", s.Type, s.Name, err)
	}
	return ds, nil
}
