package night

import (
	"context"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/event"
)

// Quiet answers motion's night_mode_event_delay: motion is ignored for Delay after each day/night
// switch, because the switch itself (IR cut click, the picture turning grey) looks like motion.
// The zero value never suppresses. Safe for concurrent use.
type Quiet struct {
	delay time.Duration

	mu   sync.Mutex
	last time.Time
}

// NewQuiet returns a Quiet that suppresses for delay after each switch (0: never).
func NewQuiet(delay time.Duration) *Quiet { return &Quiet{delay: delay} }

// Observe records a NightOn or NightOff event; other kinds are ignored. The switch time is the
// event's Time.
func (q *Quiet) Observe(ev event.Event) {
	if ev.Kind != event.NightOn && ev.Kind != event.NightOff {
		return
	}
	q.mu.Lock()
	if ev.Time.After(q.last) {
		q.last = ev.Time
	}
	q.mu.Unlock()
}

// Suppressed reports whether now is within the delay after the last switch: last <= now <
// last+delay (the firmware: the switch is less than night_mode_event_delay seconds ago).
func (q *Quiet) Suppressed(now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.delay <= 0 || q.last.IsZero() {
		return false
	}
	return !now.Before(q.last) && now.Sub(q.last) < q.delay
}

// Run subscribes to bus and observes the night events until ctx ends; it returns nil then.
// Events published before Run subscribes are not seen.
func (q *Quiet) Run(ctx context.Context, bus *event.Bus) error {
	sub := bus.Subscribe("night-quiet", 8, event.NightOn, event.NightOff)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-sub.C():
			q.Observe(ev)
		}
	}
}
