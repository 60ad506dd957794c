package service

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// funcService adapts a start/stop style component.
type funcService struct {
	name  string
	start func(ctx context.Context) error
	stop  func(ctx context.Context) error

	op      sync.Mutex // serialises Start and Stop
	started bool       // start succeeded and stop has not; guarded by op
	mu      sync.Mutex // guards st and notify
	st      Status
	notify  []func(Status)
}

var (
	_ Service  = (*funcService)(nil)
	_ Notifier = (*funcService)(nil)
)

// Func makes a Service from a component that starts and stops itself, such as a server whose
// Start returns once it listens and whose Close shuts it down. start must return quickly (the
// component runs its own goroutines); an error leaves the service Failed with that error. stop
// may be nil. Start and Stop are serialised; start is not called on a running service, stop not
// on a stopped one. There is no supervision: a component that dies on its own is not noticed
// (use Supervised for that).
func Func(name string, start, stop func(ctx context.Context) error) Service {
	return &funcService{name: name, start: start, stop: stop, st: Status{State: Stopped}}
}

func (f *funcService) Name() string { return f.name }

func (f *funcService) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *funcService) Notify(fn func(Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notify = append(f.notify, fn)
}

func (f *funcService) Start(ctx context.Context) error {
	f.op.Lock()
	defer f.op.Unlock()
	if f.started {
		return nil
	}
	f.mu.Lock()
	f.st.LastErr, f.st.Restarts = nil, 0
	f.setLocked(Starting, nil)
	f.mu.Unlock()
	if err := f.start(ctx); err != nil {
		err = fmt.Errorf("service %s: start: %w", f.name, err)
		f.set(Failed, err)
		return err
	}
	f.started = true
	f.set(Running, nil)
	return nil
}

// Stop calls stop on a running service. If stop fails the service is Failed with that error
// (it may be half-stopped); a later Stop tries again.
func (f *funcService) Stop(ctx context.Context) error {
	f.op.Lock()
	defer f.op.Unlock()
	if !f.started { // never started, stopped, or its start failed
		f.set(Stopped, nil)
		return nil
	}
	if f.stop != nil {
		if err := f.stop(ctx); err != nil {
			err = fmt.Errorf("service %s: stop: %w", f.name, err)
			f.set(Failed, err)
			return err
		}
	}
	f.started = false
	f.set(Stopped, nil)
	return nil
}

func (f *funcService) set(state State, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setLocked(state, err)
}

func (f *funcService) setLocked(state State, err error) {
	if err != nil {
		f.st.LastErr = err
	}
	if f.st.State == state && err == nil {
		return
	}
	f.st.State = state
	f.st.Since = time.Now()
	for _, fn := range f.notify {
		fn(f.st)
	}
}
