package snapshot

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/freecam/freecam/internal/media"
)

// Mailbox holds the latest raw frame. The zero value is ready to use; all methods are
// goroutine-safe.
//
// Frames put here are shared, not copied: the producer must not write to a frame after Put (see
// media.RawFrame). Their IDs must be non-zero and strictly increasing over the Mailbox's life:
// Next and the Cache tell frames apart by ID only.
type Mailbox struct {
	latest atomic.Pointer[media.RawFrame]

	mu   sync.Mutex
	wake chan struct{} // closed by the next Put; nil while nobody waits
}

// Put makes f the latest frame, replacing the previous one. It never blocks on readers and does
// not allocate. A nil f is ignored.
func (m *Mailbox) Put(f *media.RawFrame) {
	if f == nil {
		return
	}
	m.latest.Store(f)
	m.mu.Lock()
	if m.wake != nil {
		close(m.wake)
		m.wake = nil
	}
	m.mu.Unlock()
}

// Latest returns the latest frame, or nil before the first Put. It never blocks.
func (m *Mailbox) Latest() *media.RawFrame { return m.latest.Load() }

// Next returns the latest frame once its ID is greater than after, waiting for a Put if needed.
// Frames put in between are skipped: the caller always gets the newest. It returns ctx's error
// if ctx ends first.
func (m *Mailbox) Next(ctx context.Context, after uint64) (*media.RawFrame, error) {
	for {
		if f := m.latest.Load(); f != nil && f.ID > after {
			return f, nil
		}
		m.mu.Lock()
		// Check again under the lock: a Put between the load above and here has already
		// closed (or never needed) the channel we would wait on.
		if f := m.latest.Load(); f != nil && f.ID > after {
			m.mu.Unlock()
			return f, nil
		}
		if m.wake == nil {
			m.wake = make(chan struct{})
		}
		wake := m.wake
		m.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
