package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/backoff"
)

// Options tunes a supervised service. The zero value is usable.
type Options struct {
	// Backoff spaces the restarts. Zero fields take backoff's defaults (500 ms doubling to 30 s,
	// ±20 % jitter), except ResetAfter, which defaults to FastCrash: a run that lasted that long
	// starts the delays again from Initial.
	Backoff backoff.Backoff
	// FastCrash: a run that ends (with an error, or early without one) sooner than this after it
	// started is a fast crash. Default 10 s. A longer run resets the count of fast crashes.
	FastCrash time.Duration
	// MaxFastCrashes fast crashes in a row make the service Failed, with the last error and no
	// more restarts until the next Start. Default 5.
	MaxFastCrashes int
	// StopOnNil: run returning nil before Stop means its work is done (a timelapse whose duration
	// has passed): the service becomes Stopped and is not restarted. By default such a return
	// is a crash (ErrReturnedEarly).
	StopOnNil bool
	// Log receives one line per crash and per give-up. Default: discard.
	Log *slog.Logger
}

func (o *Options) defaults() {
	if o.FastCrash <= 0 {
		o.FastCrash = 10 * time.Second
	}
	if o.MaxFastCrashes <= 0 {
		o.MaxFastCrashes = 5
	}
	if o.Backoff.ResetAfter <= 0 {
		o.Backoff.ResetAfter = o.FastCrash
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// ErrReturnedEarly is the crash error of a run function that returned nil before it was stopped.
var ErrReturnedEarly = errors.New("returned before it was stopped")

// Supervisor is a Service that runs a blocking function in its own goroutine and restarts it when
// it fails. It is safe for concurrent use. Make one with Supervised.
type Supervisor struct {
	name string
	run  func(ctx context.Context) error
	opts Options

	mu       sync.Mutex
	st       Status
	cancel   context.CancelFunc // of the running loop; nil when none was started
	done     chan struct{}      // closed when the loop has returned
	stopping bool               // Stop has cancelled the loop
	notify   []func(Status)
}

var (
	_ Service  = (*Supervisor)(nil)
	_ Notifier = (*Supervisor)(nil)
)

// Supervised makes a Service from run, which must block until ctx ends (then return anything) or
// the service fails (then return the error). Start runs it in a goroutine; when it returns an
// error, returns nil early (unless opts.StopOnNil), or panics, it is restarted after a backoff
// delay (state Backoff), and after opts.MaxFastCrashes fast crashes in a row the service is
// Failed. Stop cancels ctx and waits for run to return. Nothing starts before Start.
func Supervised(name string, run func(ctx context.Context) error, opts Options) *Supervisor {
	opts.defaults()
	opts.Log = opts.Log.With("service", name)
	return &Supervisor{name: name, run: run, opts: opts, st: Status{State: Stopped}}
}

// Name returns the service's name.
func (s *Supervisor) Name() string { return s.name }

// Status reports the current state.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Notify adds fn, called after every state change (see Notifier).
func (s *Supervisor) Notify(fn func(Status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify = append(s.notify, fn)
}

// Start starts the supervision goroutine and returns without waiting for run. A Failed or
// Stopped service starts afresh (no restarts, no last error); a running one is left alone. If a
// Stop is still waiting for run to return, Start waits for it (or for ctx). The service's
// context keeps ctx's values but not its cancellation: Stop ends it.
func (s *Supervisor) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("service %s: start: %w", s.name, err)
	}
	for {
		s.mu.Lock()
		if s.done != nil {
			select {
			case <-s.done: // the loop has ended (Failed, or stopped): start afresh
			default:
				// A loop that has just set Failed is ending: wait for it like for a stop, or this
				// Start (one that reacted to the Failed state) would be taken for "already running".
				if !s.stopping && s.st.State != Failed {
					s.mu.Unlock()
					return nil // already running
				}
				done := s.done
				s.mu.Unlock()
				select {
				case <-done:
					continue
				case <-ctx.Done():
					return fmt.Errorf("service %s: start: waiting for the previous run to stop: %w", s.name, ctx.Err())
				}
			}
		}
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		s.cancel, s.done, s.stopping = cancel, done, false
		s.st.LastErr, s.st.Restarts = nil, 0
		s.setLocked(Starting, nil)
		s.mu.Unlock()
		go s.loop(runCtx, done)
		return nil
	}
}

// Stop cancels the run and waits until it has returned or ctx ends; in the latter case it
// returns ctx's error and the run keeps being cancelled (a later Stop or Start waits again).
// A Failed service becomes Stopped, keeping its last error.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	if cancel == nil {
		s.mu.Unlock()
		return nil // never started
	}
	s.stopping = true
	s.mu.Unlock()
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("service %s: stop: %w", s.name, ctx.Err())
	}
	s.mu.Lock()
	if s.done == done && s.st.State == Failed {
		s.setLocked(Stopped, s.st.LastErr)
	}
	s.mu.Unlock()
	return nil
}

// loop runs the function until it is cancelled or has crashed too often. It owns done.
func (s *Supervisor) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	b := s.opts.Backoff // each loop starts with fresh delays
	fast := 0
	for {
		s.set(Running, nil)
		started := time.Now()
		err := s.call(ctx)
		ran := time.Since(started)
		if ctx.Err() != nil {
			s.set(Stopped, nil)
			return
		}
		if err == nil && s.opts.StopOnNil {
			s.opts.Log.Info("service finished")
			s.set(Stopped, nil)
			return
		}
		if err == nil {
			err = ErrReturnedEarly
		}
		if ran < s.opts.FastCrash {
			fast++
		} else {
			fast = 0
		}
		if fast >= s.opts.MaxFastCrashes {
			s.opts.Log.Error("service failed: too many fast crashes; not restarting",
				"crashes", fast, "within", s.opts.FastCrash, "err", err)
			s.set(Failed, err)
			return
		}
		d := b.Next(ran)
		s.opts.Log.Warn("service crashed; restarting", "ran", ran.Round(time.Millisecond),
			"delay", d.Round(time.Millisecond), "err", err)
		s.set(Backoff, err)
		if !backoff.Sleep(ctx, d) {
			s.set(Stopped, nil)
			return
		}
		s.mu.Lock()
		s.st.Restarts++
		s.mu.Unlock()
	}
}

// call runs the function once, turning a panic into an error so one broken service cannot take
// the camera down.
func (s *Supervisor) call(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.opts.Log.Error("service panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.run(ctx)
}

// set records a state change; err, when not nil, becomes LastErr.
func (s *Supervisor) set(state State, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setLocked(state, err)
}

func (s *Supervisor) setLocked(state State, err error) {
	if err != nil {
		s.st.LastErr = err
	}
	if s.st.State == state && err == nil {
		return
	}
	s.st.State = state
	s.st.Since = time.Now()
	for _, fn := range s.notify {
		fn(s.st)
	}
}
