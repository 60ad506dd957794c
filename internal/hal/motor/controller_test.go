package motor

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

func newSim(start, believed hal.Position, flipped bool) (*Controller, *SimDriver) {
	drv := NewSimDriver(SimOptions{Start: start})
	return NewController(drv, Options{Start: believed, Flipped: flipped}), drv
}

func TestMoves(t *testing.T) {
	cases := []struct {
		name    string
		start   hal.Position
		flipped bool
		move    func(ctx context.Context, c *Controller) (hal.Move, error)
		want    hal.Position
		clamped bool
	}{
		{"relative", hal.Position{X: 1000, Y: 300}, false,
			func(ctx context.Context, c *Controller) (hal.Move, error) { return c.Move(ctx, 100, 50) },
			hal.Position{X: 1100, Y: 350}, false},
		{"relative flipped mirrors both axes", hal.Position{X: 1000, Y: 300}, true,
			func(ctx context.Context, c *Controller) (hal.Move, error) { return c.Move(ctx, 100, 50) },
			hal.Position{X: 900, Y: 250}, false},
		{"absolute ignores flip", hal.Position{X: 1000, Y: 300}, true,
			func(ctx context.Context, c *Controller) (hal.Move, error) {
				return c.MoveTo(ctx, hal.Position{X: 1400, Y: 350})
			},
			hal.Position{X: 1400, Y: 350}, false},
		{"absolute clamped", hal.Position{X: 1000, Y: 300}, false,
			func(ctx context.Context, c *Controller) (hal.Move, error) {
				return c.MoveTo(ctx, hal.Position{X: 2800, Y: -5})
			},
			hal.Position{X: DefaultMaxX, Y: 0}, true},
		{"relative clamped at the origin", hal.Position{}, false,
			func(ctx context.Context, c *Controller) (hal.Move, error) { return c.Move(ctx, -100, 20) },
			hal.Position{X: 0, Y: 20}, true},
		{"relative flipped clamped at the top", hal.Position{X: 10, Y: 690}, true,
			func(ctx context.Context, c *Controller) (hal.Move, error) { return c.Move(ctx, 100, -100) },
			hal.Position{X: 0, Y: DefaultMaxY}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, drv := newSim(tc.start, tc.start, tc.flipped)
				t0 := time.Now()
				m, err := tc.move(t.Context(), c)
				if err != nil {
					t.Fatal(err)
				}
				if m.From != tc.start || m.To != tc.want || m.Clamped != tc.clamped {
					t.Errorf("got %+v, want from %v to %v clamped %t", m, tc.start, tc.want, tc.clamped)
				}
				if got := c.Position(); got != tc.want {
					t.Errorf("got position %v, want %v", got, tc.want)
				}
				if got := drv.True(); got != tc.want {
					t.Errorf("got motor at %v, want %v", got, tc.want)
				}
				steps := abs(tc.want.X-tc.start.X) + abs(tc.want.Y-tc.start.Y)
				if el, min := time.Since(t0), time.Duration(steps)*DefaultStepTime; el < min {
					t.Errorf("move of %d steps took %v, want at least %v", steps, el, min)
				}
			})
		})
	}
}

func abs(n int) int { return max(n, -n) }

func TestPositionUpdatesDuringMove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newSim(hal.Position{}, hal.Position{}, false)
		done := make(chan hal.Move)
		go func() {
			m, err := c.Move(context.Background(), 1000, 0)
			if err != nil {
				t.Error(err)
			}
			done <- m
		}()
		time.Sleep(650 * time.Millisecond) // half of 1000 × 1.3 ms
		synctest.Wait()
		if x := c.Position().X; x < 400 || x > 600 {
			t.Errorf("got X %d half way, want about 500", x)
		}
		if m := <-done; m.To.X != 1000 {
			t.Errorf("got end X %d, want 1000", m.To.X)
		}
	})
}

func TestStopAndCancel(t *testing.T) {
	for _, name := range []string{"stop", "cancel"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, drv := newSim(hal.Position{}, hal.Position{}, false)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				errc := make(chan error)
				go func() {
					_, err := c.Move(ctx, 2000, 0)
					errc <- err
				}()
				time.Sleep(time.Second)
				synctest.Wait()
				if name == "stop" {
					c.Stop()
				} else {
					cancel()
				}
				err := <-errc
				want := error(hal.ErrStopped)
				if name == "cancel" {
					want = context.Canceled
				}
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
				x := c.Position().X
				if x < 700 || x > 800 {
					t.Errorf("got X %d after 1 s, want about 770", x)
				}
				if tr := drv.True().X; tr != x {
					t.Errorf("got motor at %d, controller says %d", tr, x)
				}
				// The motor is usable again.
				if m, err := c.MoveTo(context.Background(), hal.Position{}); err != nil || m.To != (hal.Position{}) {
					t.Errorf("got %+v, %v after stop, want back at 0,0", m, err)
				}
			})
		})
	}
}

func TestCalibrate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The controller believes 0,0 but the motor is elsewhere.
		c, drv := newSim(hal.Position{X: 700, Y: 200}, hal.Position{}, false)
		if err := c.Calibrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := hal.Position{X: DefaultMaxX / 2, Y: DefaultMaxY / 2}
		if got := c.Position(); got != want {
			t.Errorf("got position %v, want %v", got, want)
		}
		if got := drv.True(); got != want {
			t.Errorf("got motor at %v, want %v", got, want)
		}
	})
}

func TestSerializedMoves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newSim(hal.Position{}, hal.Position{}, false)
		errc := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := c.Move(context.Background(), 100, 10)
				errc <- err
			}()
		}
		for range 2 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		if got, want := c.Position(), (hal.Position{X: 200, Y: 20}); got != want {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
