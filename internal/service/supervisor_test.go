package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// attempts records when a run function was called.
type attempts struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *attempts) add() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.times = append(a.times, time.Now())
	return len(a.times)
}

func (a *attempts) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.times)
}

func (a *attempts) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var g []time.Duration
	for i := 1; i < len(a.times); i++ {
		g = append(g, a.times[i].Sub(a.times[i-1]))
	}
	return g
}

// when returns a channel closed the first time s enters state.
func when(s Notifier, state State) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	s.Notify(func(st Status) {
		if st.State == state {
			once.Do(func() { close(ch) })
		}
	})
	return ch
}

// within checks that got is want ±20 % (the backoff's jitter).
func within(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if got < want*8/10 || got > want*12/10 {
		t.Errorf("%s: got %v, want %v ±20 %%", what, got, want)
	}
}

func TestAFailingServiceBacksOffWithGrowingDelaysAndFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var a attempts
		s := Supervised("rec", func(ctx context.Context) error {
			return fmt.Errorf("disk gone (attempt %d)", a.add())
		}, Options{})
		failed := when(s, Failed)
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("got %v from Start, want nil", err)
		}
		<-failed

		if got := a.count(); got != 5 {
			t.Fatalf("got %d attempts, want 5 (the default MaxFastCrashes)", got)
		}
		gaps := a.gaps()
		for i, want := range []time.Duration{500, 1000, 2000, 4000} {
			within(t, fmt.Sprintf("gap %d", i+1), gaps[i], want*time.Millisecond)
			if i > 0 && gaps[i] <= gaps[i-1] {
				t.Errorf("gap %d: got %v after %v, want a longer delay", i+1, gaps[i], gaps[i-1])
			}
		}
		st := s.Status()
		if st.State != Failed || st.LastErr == nil || !strings.Contains(st.LastErr.Error(), "attempt 5") {
			t.Errorf("got %s with %v, want failed with the 5th attempt's error", st.State, st.LastErr)
		}
		if st.Restarts != 4 {
			t.Errorf("got %d restarts, want 4", st.Restarts)
		}
		// Failed means no more restarts.
		time.Sleep(time.Hour)
		if got := a.count(); got != 5 {
			t.Errorf("got %d attempts an hour after Failed, want still 5", got)
		}
	})
}

func TestARunThatLastedResetsTheCrashCountAndTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var a attempts
		s := Supervised("mqtt", func(ctx context.Context) error {
			if a.add() == 4 {
				time.Sleep(11 * time.Second) // longer than FastCrash (10 s)
			}
			return errors.New("broker closed the connection")
		}, Options{})
		failed := when(s, Failed)
		s.Start(t.Context())
		<-failed

		// 3 fast crashes, one slow one (resets the count), then 5 fast ones.
		if got := a.count(); got != 9 {
			t.Fatalf("got %d attempts, want 9 (3 fast + 1 long + 5 fast)", got)
		}
		gaps := a.gaps()
		within(t, "gap after the long run", gaps[3]-11*time.Second, 500*time.Millisecond)
		within(t, "next gap", gaps[4], 1000*time.Millisecond)
		if st := s.Status(); st.Restarts != 8 {
			t.Errorf("got %d restarts, want 8", st.Restarts)
		}
	})
}

func TestCrashesOtherThanErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context) error
		want string
	}{
		{"returns nil before stop", func(ctx context.Context) error { return nil }, ErrReturnedEarly.Error()},
		{"panics", func(ctx context.Context) error { panic("nil map") }, "panic: nil map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := Supervised("x", tt.run, Options{MaxFastCrashes: 2})
				failed := when(s, Failed)
				s.Start(t.Context())
				<-failed
				st := s.Status()
				if st.LastErr == nil || st.LastErr.Error() != tt.want {
					t.Errorf("got last error %v, want %q", st.LastErr, tt.want)
				}
				if st.Restarts != 1 {
					t.Errorf("got %d restarts, want 1", st.Restarts)
				}
			})
		})
	}
}

func TestAFailedServiceStartsAfresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var a attempts
		s := Supervised("x", func(ctx context.Context) error {
			return fmt.Errorf("attempt %d", a.add())
		}, Options{MaxFastCrashes: 3})
		failed := when(s, Failed)
		s.Start(t.Context())
		<-failed
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("got %v from Start after Failed, want nil", err)
		}
		if st := s.Status(); st.Restarts != 0 || st.LastErr != nil {
			t.Errorf("got %d restarts and %v just after Start, want 0 and nil", st.Restarts, st.LastErr)
		}
		synctest.Wait() // first attempt made, now in backoff
		for s.Status().State != Failed {
			time.Sleep(time.Second)
		}
		if got := a.count(); got != 6 {
			t.Errorf("got %d attempts, want 3 before and 3 after the new Start", got)
		}
		gaps := a.gaps()
		if len(gaps) < 4 {
			t.Fatalf("got %d gaps between attempts, want at least 4", len(gaps))
		}
		within(t, "first gap after the new Start", gaps[3], 500*time.Millisecond)
	})
}

func TestStopCancelsTheRunAndWaits(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var calls attempts
	returned := make(chan struct{})
	s := Supervised("rtsp", func(ctx context.Context) error {
		calls.add()
		<-ctx.Done()
		close(returned)
		return ctx.Err()
	}, Options{})
	if st := s.Status(); st.State != Stopped {
		t.Fatalf("got %s before Start, want stopped", st.State)
	}
	running := when(s, Running)
	s.Start(t.Context())
	select {
	case <-running:
	case <-time.After(5 * time.Second):
		t.Fatal("got no running state 5 s after Start, want running")
	}
	if err := s.Start(t.Context()); err != nil { // already running: no-op
		t.Fatalf("got %v from a second Start, want nil", err)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("got %v from Stop, want nil", err)
	}
	select {
	case <-returned:
	default:
		t.Fatal("got Stop returning before run did, want it to wait")
	}
	st := s.Status()
	if st.State != Stopped || st.LastErr != nil || st.Restarts != 0 {
		t.Errorf("got %s, %v, %d restarts after Stop, want stopped, nil, 0", st.State, st.LastErr, st.Restarts)
	}
	if got := calls.count(); got != 1 {
		t.Errorf("got %d runs, want 1 (a second Start on a running service is a no-op)", got)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Errorf("got %v from Stop on a stopped service, want nil", err)
	}
}

func TestStopHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		s := Supervised("stuck", func(ctx context.Context) error {
			<-release // ignores ctx until released, like a wedged driver
			<-ctx.Done()
			return ctx.Err()
		}, Options{})
		s.Start(t.Context())
		synctest.Wait()

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		err := s.Stop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want a deadline error", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("got Stop returning after %v, want exactly the 1 s deadline", waited)
		}
		// A Start meanwhile waits for the old run to end instead of starting a second one.
		startErr := make(chan error, 1)
		go func() { startErr <- s.Start(t.Context()) }()
		synctest.Wait()
		select {
		case err := <-startErr:
			t.Fatalf("got Start returning %v while the old run was still stopping, want it to wait", err)
		default:
		}
		close(release)
		if err := <-startErr; err != nil {
			t.Fatalf("got %v from Start, want nil", err)
		}
		synctest.Wait()
		if st := s.Status(); st.State != Running {
			t.Errorf("got %s after the restart, want running", st.State)
		}
		if err := s.Stop(t.Context()); err != nil {
			t.Errorf("got %v from Stop, want nil", err)
		}
		if st := s.Status(); st.State != Stopped {
			t.Errorf("got %s after Stop, want stopped", st.State)
		}
	})
}

func TestStopOnNilEndsAFinishedService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var a attempts
		s := Supervised("timelapse", func(ctx context.Context) error {
			a.add()
			time.Sleep(2 * time.Hour) // TIMELAPSE_DURATION
			return nil
		}, Options{StopOnNil: true})
		stopped := make(chan struct{})
		var once sync.Once
		s.Notify(func(st Status) {
			if st.State == Stopped {
				once.Do(func() { close(stopped) })
			}
		})
		s.Start(t.Context())
		<-stopped
		time.Sleep(time.Hour)
		if st := s.Status(); st.State != Stopped || st.LastErr != nil || st.Restarts != 0 || a.count() != 1 {
			t.Errorf("got %s, %v, %d restarts, %d runs, want stopped, nil, 0, 1 run", st.State, st.LastErr, st.Restarts, a.count())
		}
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("got %v starting a finished service again, want nil", err)
		}
		synctest.Wait()
		if got := a.count(); got != 2 {
			t.Errorf("got %d runs after a new Start, want 2", got)
		}
		s.Stop(t.Context())
	})
}
