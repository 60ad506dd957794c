package track

import (
	"context"
	"image"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/motor"
)

const frameW, frameH = 1280, 720

var start = hal.Position{X: 1300, Y: 350}

// Boxes in the thirds of a 1280×720 picture.
var (
	right  = image.Rect(1000, 300, 1100, 400)
	left   = image.Rect(100, 300, 200, 400)
	top    = image.Rect(600, 20, 700, 120)
	bottom = image.Rect(600, 600, 700, 700)
	centre = image.Rect(600, 300, 700, 400)
)

// setup runs a Tracker over a simulated motor at start inside the synctest bubble; the
// Tracker stops when the test ends.
func setup(t *testing.T, flipped bool, opts Options) (*Tracker, *motor.Controller) {
	t.Helper()
	drv := motor.NewSimDriver(motor.SimOptions{Start: start})
	m := motor.NewController(drv, motor.Options{Start: start, Flipped: flipped})
	tr := New(m, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
	return tr, m
}

// waitFor lets the bubble's fake clock run until cond holds or d has passed.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func TestFollowsMotion(t *testing.T) {
	tests := []struct {
		name    string
		box     image.Rectangle
		flipped bool
		want    hal.Position
	}{
		{"right", right, false, hal.Position{X: 1400, Y: 350}},
		{"left", left, false, hal.Position{X: 1200, Y: 350}},
		{"top is up", top, false, hal.Position{X: 1300, Y: 450}},
		{"bottom is down", bottom, false, hal.Position{X: 1300, Y: 250}},
		{"top right", image.Rect(1100, 0, 1280, 100), false, hal.Position{X: 1400, Y: 450}},
		{"flipped right turns the motor the other way", right, true, hal.Position{X: 1200, Y: 350}},
		{"flipped top", top, true, hal.Position{X: 1300, Y: 250}},
		{"centre stays", centre, false, start},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, m := setup(t, tc.flipped, Options{})
				tr.Motion(tc.box, frameW, frameH)
				waitFor(2*time.Second, func() bool { return m.Position() == tc.want && !tr.busy() })
				time.Sleep(2 * time.Second) // no further move follows
				synctest.Wait()
				if got := m.Position(); got != tc.want {
					t.Errorf("got position %+v, want %+v", got, tc.want)
				}
			})
		})
	}
}

func TestDoesNotQueueMoves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, m := setup(t, false, Options{})
		tr.Motion(right, frameW, frameH)
		synctest.Wait() // the move has started
		for range 20 {
			tr.Motion(right, frameW, frameH) // while it runs, and during the settle time
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(5 * time.Second)
		if got, want := m.Position(), (hal.Position{X: 1400, Y: 350}); got != want {
			t.Errorf("got position %+v after 21 results during one move, want one move to %+v", got, want)
		}
		// After the settle time, motion is followed again.
		tr.Motion(right, frameW, frameH)
		want := hal.Position{X: 1500, Y: 350}
		if !waitFor(2*time.Second, func() bool { return m.Position() == want }) {
			t.Errorf("got position %+v, want a second move to %+v", m.Position(), want)
		}
	})
}

func TestReturnsToOrigin(t *testing.T) {
	origin := hal.Position{X: 1000, Y: 100}
	tests := []struct {
		name   string
		opts   Options
		want   hal.Position // at ReturnAfter + 2 s
		before bool         // still away shortly before ReturnAfter
	}{
		{"to the start position", Options{ReturnAfter: 10 * time.Second}, start, true},
		{"to a given origin", Options{ReturnAfter: 10 * time.Second, Origin: &origin}, origin, true},
		{"never with -1", Options{ReturnAfter: -time.Second}, hal.Position{X: 1200, Y: 350}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, m := setup(t, false, tc.opts)
				away := hal.Position{X: 1200, Y: 350}
				tr.Motion(left, frameW, frameH)
				if !waitFor(time.Second, func() bool { return m.Position() == away }) {
					t.Fatalf("got position %+v, want %+v", m.Position(), away)
				}
				// Motion in the centre keeps the camera there: the timeout counts from it.
				time.Sleep(3 * time.Second)
				tr.Motion(centre, frameW, frameH)
				tr.End()
				time.Sleep(9 * time.Second)
				if got := m.Position(); got != away {
					t.Errorf("got position %+v 9 s after the last motion, want still %+v", got, away)
				}
				time.Sleep(3 * time.Second)
				synctest.Wait()
				if got := m.Position(); got != tc.want {
					t.Errorf("got position %+v 12 s after the last motion, want %+v", got, tc.want)
				}
				time.Sleep(time.Hour)
				if got := m.Position(); got != tc.want {
					t.Errorf("got position %+v an hour later, want %+v", got, tc.want)
				}
			})
		})
	}
}

func TestEndDropsAPendingMove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		drv := motor.NewSimDriver(motor.SimOptions{Start: start})
		m := motor.NewController(drv, motor.Options{Start: start})
		tr := New(m, Options{})
		tr.Motion(right, frameW, frameH)
		tr.End() // before Run takes the move
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tr.Run(ctx) }()
		time.Sleep(5 * time.Second)
		cancel()
		<-done
		if got := m.Position(); got != start {
			t.Errorf("got position %+v, want %+v (no move after End)", got, start)
		}
	})
}

func TestDirection(t *testing.T) {
	tr := New(nil, Options{Step: 50})
	for _, tc := range []struct {
		box    image.Rectangle
		dx, dy int
	}{
		{right, 50, 0}, {left, -50, 0}, {top, 0, 50}, {bottom, 0, -50}, {centre, 0, 0},
		{image.Rect(0, 0, 1280, 720), 0, 0}, // the whole picture
		{image.Rectangle{}, 0, 0},
		{image.Rect(0, 600, 100, 720), -50, -50},
	} {
		if dx, dy := tr.Direction(tc.box, frameW, frameH); dx != tc.dx || dy != tc.dy {
			t.Errorf("Direction(%v): got %d,%d, want %d,%d", tc.box, dx, dy, tc.dx, tc.dy)
		}
	}
}

// busy reports whether a move is pending or running (a test helper).
func (t *Tracker) busy() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pending || t.moving
}
