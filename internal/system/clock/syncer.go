package clock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/beevik/ntp"

	"github.com/freecam/freecam/internal/backoff"
)

// Options configures a Syncer. Only SetClock is needed to correct the clock; without it the Syncer
// only measures the offset.
type Options struct {
	// Server is the NTP server (ntp_srv.conf, see LoadServer). Default DefaultServer.
	Server string
	// Port is the server's UDP port. Default 123.
	Port int
	// Interval between successful queries. Default 1 h.
	Interval time.Duration
	// FirstRetry is the delay after the first failure; it doubles (with ±20 % jitter) up to
	// Interval while queries fail. Default 1 min.
	FirstRetry time.Duration
	// StepThreshold: an offset larger than this steps the clock; a smaller one is left alone.
	// Default 0.5 s.
	StepThreshold time.Duration
	// MaxRootDistance refuses a server whose root distance (root delay/2 + root dispersion + half
	// our round trip) is larger. Default 1.5 s (ntpd's default maxdist).
	MaxRootDistance time.Duration
	// Timeout of one query. Default 5 s.
	Timeout time.Duration
	// SetClock sets the system clock (the integrator passes SetSystemClock, i.e.
	// settimeofday(2)). nil: measure only.
	SetClock func(time.Time) error
	// Now is the local clock being corrected. Default time.Now; tests inject a clock that is off.
	Now func() time.Time
	// Log receives one line per step and per change between working and failing. Default discard.
	Log *slog.Logger
}

// Status is what the System page and /metrics show.
type Status struct {
	Server      string
	LastSync    time.Time     // local time (after any step) of the last good answer; zero before
	Offset      time.Duration // the server's time minus ours at LastSync (before any step)
	Stepped     bool          // the last good answer stepped the clock
	LastAttempt time.Time
	Failures    int   // consecutive failed queries
	Err         error // the last query's error; nil after a good answer
}

// Syncer keeps the clock in step with one NTP server. Run it once; Status and Close are safe
// from any goroutine.
type Syncer struct {
	o Options

	mu      sync.Mutex
	st      Status
	cancel  context.CancelFunc
	done    chan struct{}
	closed  bool
	running bool
}

// New returns a Syncer; it does nothing until Run.
func New(o Options) *Syncer {
	if o.Server == "" {
		o.Server = DefaultServer
	}
	if o.Port == 0 {
		o.Port = 123
	}
	if o.Interval <= 0 {
		o.Interval = time.Hour
	}
	if o.FirstRetry <= 0 {
		o.FirstRetry = time.Minute
	}
	o.FirstRetry = min(o.FirstRetry, o.Interval)
	if o.StepThreshold <= 0 {
		o.StepThreshold = 500 * time.Millisecond
	}
	if o.MaxRootDistance <= 0 {
		o.MaxRootDistance = 1500 * time.Millisecond
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Syncer{o: o, st: Status{Server: o.Server}}
}

// Status returns the latest state.
func (s *Syncer) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Run queries the server now and then every Interval (FirstRetry doubling up to Interval while it
// fails) until ctx ends or Close is called. It returns nil then; it returns an error only when
// called twice or after Close.
func (s *Syncer) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed || s.running {
		s.mu.Unlock()
		return errors.New("ntp: syncer already running or closed")
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.done, s.running = cancel, make(chan struct{}), true
	s.mu.Unlock()
	defer close(s.done)
	defer cancel()

	b := backoff.Backoff{Initial: s.o.FirstRetry, Max: s.o.Interval, ResetAfter: 1<<63 - 1}
	for {
		delay := s.o.Interval
		if err := s.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			delay = b.Next(0)
		} else {
			b.Reset()
		}
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
}

// Close stops Run and waits for it to return. It is safe to call more than once.
func (s *Syncer) Close() error {
	s.mu.Lock()
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// Sync queries the server once, steps the clock if needed and records the result in Status (the
// firmware's one-shot `ntpd -q`). It blocks up to Options.Timeout.
func (s *Syncer) Sync(ctx context.Context) error {
	off, err := s.query(ctx)
	now := s.o.Now()
	stepped := false
	if err == nil && (off > s.o.StepThreshold || off < -s.o.StepThreshold) && s.o.SetClock != nil {
		if serr := s.o.SetClock(now.Add(off)); serr != nil {
			err = fmt.Errorf("ntp: step the clock by %v: %w", off, serr)
		} else {
			stepped = true
			s.o.Log.Info("clock stepped", "server", s.o.Server, "offset", off.String())
			now = now.Add(off)
		}
	}
	s.mu.Lock()
	prev := s.st
	s.st.LastAttempt = now
	s.st.Err = err
	if err != nil {
		s.st.Failures++
	} else {
		s.st.Failures = 0
		s.st.LastSync, s.st.Offset, s.st.Stepped = now, off, stepped
	}
	s.mu.Unlock()
	switch {
	case err != nil && ctx.Err() == nil && (prev.Err == nil || prev.Err.Error() != err.Error()):
		s.o.Log.Warn("time sync failed", "server", s.o.Server, "err", err)
	case err == nil && prev.Err != nil:
		s.o.Log.Info("time sync works again", "server", s.o.Server, "offset", off.String())
	}
	return err
}

// query asks the server and returns how far the local clock (Options.Now) is behind it. The query
// is abandoned when ctx ends.
func (s *Syncer) query(ctx context.Context) (time.Duration, error) {
	addr := net.JoinHostPort(s.o.Server, strconv.Itoa(s.o.Port))
	var stop func() bool
	opt := ntp.QueryOptions{
		Timeout: s.o.Timeout,
		Dialer: func(_, remote string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "udp", remote)
			if err != nil {
				return nil, err
			}
			stop = context.AfterFunc(ctx, func() { c.Close() }) // unblocks the read
			return c, nil
		},
	}
	r, err := ntp.QueryWithOptions(addr, opt)
	if stop != nil {
		stop()
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("ntp: query %s: %w", addr, err)
	}
	// beevik/ntp measures against time.Now; correct for a local clock that differs from it.
	skew := time.Now().Sub(s.o.Now())
	if err := validate(r, s.o.MaxRootDistance); err != nil {
		return 0, fmt.Errorf("ntp: %s refused: %w", addr, err)
	}
	return r.ClockOffset + skew, nil
}

// validate refuses answers that must not set a clock: the server is unsynchronised (leap alarm),
// a kiss-o'-death, a stratum out of 1..15, a stale reference, or a root distance above max.
func validate(r *ntp.Response, max time.Duration) error {
	switch {
	case r.Leap == ntp.LeapNotInSync:
		return errors.New("server is not synchronised (leap indicator 3)")
	case r.Stratum == 0 && r.KissCode != "":
		return fmt.Errorf("kiss-o'-death %q", r.KissCode)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.RootDistance > max {
		return fmt.Errorf("root distance %v is above %v", r.RootDistance, max)
	}
	return nil
}
