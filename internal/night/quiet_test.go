package night

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/event"
)

func TestQuietSuppressesForExactlyTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := &event.Bus{}
		q := NewQuiet(30 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- q.Run(ctx, bus) }()
		synctest.Wait() // Run has subscribed

		c, err := New(Options{Bus: bus, Manual: true})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if q.Suppressed(t0) {
			t.Errorf("got suppressed before any switch, want not")
		}
		if err := c.SetNight(t.Context(), true, ""); err != nil {
			t.Fatal(err)
		}
		bus.Publish(event.Event{Kind: event.MotionStart}) // other kinds do not count
		synctest.Wait()
		tests := []struct {
			at   time.Duration
			want bool
		}{
			{-time.Nanosecond, false},
			{0, true},
			{29*time.Second + 999*time.Millisecond, true},
			{30 * time.Second, false},
			{time.Hour, false},
		}
		for _, tc := range tests {
			if got := q.Suppressed(t0.Add(tc.at)); got != tc.want {
				t.Errorf("at %v after the switch: got suppressed=%t, want %t", tc.at, got, tc.want)
			}
		}
		time.Sleep(time.Minute)
		if err := c.SetNight(t.Context(), false, ""); err != nil { // the next switch starts a new delay
			t.Fatal(err)
		}
		synctest.Wait()
		if !q.Suppressed(time.Now().Add(10 * time.Second)) {
			t.Errorf("got not suppressed 10 s after night_off, want suppressed")
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
}

func TestQuietZeroDelayNeverSuppresses(t *testing.T) {
	q := NewQuiet(0)
	now := time.Now()
	q.Observe(event.Event{Kind: event.NightOn, Time: now})
	if q.Suppressed(now) {
		t.Errorf("got suppressed with night_mode_event_delay=0, want never")
	}
	var zero Quiet
	zero.Observe(event.Event{Kind: event.NightOff, Time: now})
	if zero.Suppressed(now) {
		t.Errorf("got the zero Quiet suppressing, want never")
	}
}
