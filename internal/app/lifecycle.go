package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// component is one startable part of a running camera. start must not block beyond setting up
// (goroutines it starts belong to the component and end in stop); stop must honour ctx.
type component struct {
	name  string
	start func(ctx context.Context) error
	stop  func(ctx context.Context) error
}

// rollbackTimeout bounds undoing a failed start.
const rollbackTimeout = 10 * time.Second

// startAll starts the components in order. If one fails, those already started are stopped in
// reverse order and the error says which step failed (and what the rollback could not undo).
func startAll(ctx context.Context, log *slog.Logger, comps []component) (started []component, err error) {
	for _, c := range comps {
		if err := c.start(ctx); err != nil {
			err = fmt.Errorf("start %s: %w", c.name, err)
			// Roll back even when ctx is already cancelled (a SIGTERM during start): the
			// parts must really stop before the caller releases what they use.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
			defer cancel()
			if rerr := stopAll(rctx, log, started); rerr != nil {
				err = fmt.Errorf("%w; additionally, rolling back: %w", err, rerr)
			}
			return nil, err
		}
		log.Debug("started", "component", c.name)
		started = append(started, c)
	}
	return started, nil
}

// stopAll stops the components in reverse order; every one is stopped even if an earlier stop
// failed. The errors are joined.
func stopAll(ctx context.Context, log *slog.Logger, started []component) error {
	var errs []error
	for i := len(started) - 1; i >= 0; i-- {
		c := started[i]
		if c.stop == nil {
			continue
		}
		if err := c.stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", c.name, err))
			continue
		}
		log.Debug("stopped", "component", c.name)
	}
	return errors.Join(errs...)
}

// goroutine makes a component of a blocking run function: start launches it, stop cancels it and
// waits for it to return (or for ctx to end).
func goroutine(name string, run func(ctx context.Context) error, log *slog.Logger) component {
	var cancel context.CancelFunc
	done := make(chan struct{})
	return component{
		name: name,
		start: func(context.Context) error {
			var ctx context.Context
			ctx, cancel = context.WithCancel(context.Background())
			go func() {
				defer close(done)
				if err := run(ctx); err != nil {
					log.Error("stopped with an error", "component", name, "err", err)
				}
			}()
			return nil
		},
		stop: func(ctx context.Context) error {
			cancel()
			select {
			case <-done:
				return nil
			case <-ctx.Done():
				return fmt.Errorf("did not stop in time: %w", ctx.Err())
			}
		},
	}
}
