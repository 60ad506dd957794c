// Package backoff is freecam's one retry-delay helper: exponential, jittered, capped and
// cancellable. Every restart loop (sources, later brokers and uploads) goes through it instead of a
// bare time.Sleep.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff computes successive delays. The zero value is usable: 500 ms doubling to 30 s, with
// ±20 % jitter. It is not safe for concurrent use; each retry loop owns one.
type Backoff struct {
	Initial time.Duration // first delay; default 500 ms
	Max     time.Duration // cap; default 30 s
	// ResetAfter: an attempt that ran at least this long counts as healthy and the next failure
	// starts again from Initial. Default 30 s.
	ResetAfter time.Duration

	next time.Duration
}

func (b *Backoff) defaults() {
	if b.Initial <= 0 {
		b.Initial = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.ResetAfter <= 0 {
		b.ResetAfter = 30 * time.Second
	}
}

// Next returns the delay before the next attempt, given how long the failed attempt ran.
func (b *Backoff) Next(ran time.Duration) time.Duration {
	b.defaults()
	if b.next == 0 || ran >= b.ResetAfter {
		b.next = b.Initial
	}
	d := b.next
	b.next = min(b.next*2, b.Max)
	jitter := time.Duration((rand.Float64()*0.4 - 0.2) * float64(d)) // ±20 %
	return d + jitter
}

// Reset makes the next delay Initial again.
func (b *Backoff) Reset() { b.next = 0 }

// Sleep waits for d or until ctx ends, and reports whether the full delay passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
