package ptzsvc

import (
	"context"
	"errors"
	"time"

	"github.com/freecam/freecam/internal/hal"
)

var errClosed = errors.New("ptzsvc: service closed")

// start ends the running move (waiting for its goroutine), then runs move
// on a new goroutine owned by the Service; timeout > 0 bounds it. It
// returns once the goroutine is started: GetStatus reports MOVING until
// move returns.
func (s *Service) start(timeout time.Duration, what string, move func(ctx context.Context) error) error {
	s.cmd.Lock()
	defer s.cmd.Unlock()
	s.end()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	ctx, cancel := context.WithCancel(s.base)
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(s.base, timeout)
	}
	r := &run{cancel: cancel, done: make(chan struct{})}
	s.cur = r
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(r.done)
		defer cancel()
		err := move(ctx)
		s.mu.Lock()
		if s.cur == r {
			s.cur = nil
		}
		s.mu.Unlock()
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, hal.ErrStopped) {
			s.log.Warn("ptz move failed", "move", what, "err", err)
		}
	}()
	return nil
}

// end cancels the running move, if any, and waits for its goroutine. The
// caller holds s.cmd.
func (s *Service) end() {
	s.mu.Lock()
	r := s.cur
	s.mu.Unlock()
	if r == nil {
		return
	}
	r.cancel()
	s.motor.Stop()
	<-r.done
}

// halt is the Stop operation: it ends the Service's move and stops the
// motor whoever moves it (the web UI, MQTT).
func (s *Service) halt() {
	s.cmd.Lock()
	defer s.cmd.Unlock()
	s.end()
	s.motor.Stop()
}

// moving reports whether a move started here is running.
func (s *Service) moving() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur != nil
}

// continuous moves toward the picture edges given by the signs of sx, sy
// (−1, 0, +1; as seen in the picture, +y up) until both axes that move
// reach their limits or ctx ends. A diagonal goes in short alternating
// steps, as the motor moves one axis at a time.
func continuous(ctx context.Context, m hal.Motor, sx, sy int) error {
	lim := m.Limits()
	step := hal.Position{X: lim.X, Y: lim.Y}
	if sx != 0 && sy != 0 {
		step = hal.Position{X: max(lim.X/26, 1), Y: max(lim.Y/26, 1)}
	}
	for sx != 0 || sy != 0 {
		mv, err := m.Move(ctx, sx*step.X, sy*step.Y)
		if err != nil {
			return err
		}
		if mv.To.X == mv.From.X {
			sx = 0
		}
		if mv.To.Y == mv.From.Y {
			sy = 0
		}
	}
	return nil
}
