package app

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/source"
)

// sourceSupervisor keeps a source running: it restarts it with backoff when it fails or exits,
// and restarts it when no frame has arrived for the watchdog period (a hung camera or command).
type sourceSupervisor struct {
	src  source.Source
	sink interface {
		source.Sink
		SourceStarting()
	}
	lastFrame func() time.Time
	watchdog  time.Duration // 0 disables
	log       *slog.Logger

	restarts         atomic.Uint64 // runs after the first
	watchdogRestarts atomic.Uint64 // runs ended by the watchdog
}

var errWatchdog = errors.New("watchdog: no frame")

func (s *sourceSupervisor) run(ctx context.Context) error {
	b := backoff.Backoff{Initial: 500 * time.Millisecond, Max: 30 * time.Second, ResetAfter: 30 * time.Second}
	first := true
	lastErr := ""
	for ctx.Err() == nil {
		if !first {
			s.restarts.Add(1)
		}
		first = false
		began := time.Now()
		err := s.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errWatchdog) {
			s.watchdogRestarts.Add(1)
			s.log.Warn("no frame from the source; restarting it", "after", s.watchdog, "watchdog_restarts", s.watchdogRestarts.Load())
		} else if err == nil {
			err = errors.New("source ended")
		}
		delay := b.Next(time.Since(began))
		if msg := err.Error(); msg != lastErr || time.Since(began) > time.Minute {
			s.log.Error("source stopped; restarting", "err", err, "in", delay.Round(time.Millisecond))
			lastErr = msg
		}
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
	return nil
}

// runOnce runs the source until it returns, ctx ends, or the watchdog fires.
func (s *sourceSupervisor) runOnce(ctx context.Context) error {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.sink.SourceStarting()
	started := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.src.Run(runCtx, s.sink) }()

	var tick <-chan time.Time
	if s.watchdog > 0 {
		t := time.NewTicker(min(s.watchdog/4, time.Second))
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case err := <-done:
			if cause := context.Cause(runCtx); errors.Is(cause, errWatchdog) {
				return errWatchdog
			}
			return err
		case <-tick:
			last := s.lastFrame()
			if last.Before(started) {
				last = started // frames of an earlier run don't count, nor does start-up time
			}
			if time.Since(last) > s.watchdog {
				cancel(errWatchdog) // Run returns soon; its result is read above
			}
		}
	}
}
