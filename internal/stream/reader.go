package stream

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("stream: reader closed")

// Reader is one consumer's bounded queue. Read is meant for one goroutine; Close and Stats are
// safe from any.
type Reader struct {
	name string
	hub  *Hub

	mu        sync.Mutex
	queue     []*media.Frame // ring buffer
	head      int            // next to read (monotonic; index modulo len)
	tail      int            // next to write
	waitKey   bool           // dropped something: deliver nothing until the next keyframe
	waitSince time.Duration  // stream time the wait began; -1 = not yet known

	notify    chan struct{} // capacity 1: "the queue is not empty"
	done      chan struct{}
	closeOnce sync.Once

	delivered atomic.Uint64
	dropped   atomic.Uint64 // frames lost because the queue was full or while resyncing
	resyncs   atomic.Uint64 // times the reader fell behind and had to wait for a keyframe
}

// push offers f to the reader; called by the hub with its lock held. It reports whether the reader
// has been waiting for a keyframe for longer than wait, so the hub can ask the encoder for one.
func (r *Reader) push(f *media.Frame, wait time.Duration) (wantKey bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waitKey {
		if !f.Key {
			r.dropped.Add(1)
			if r.waitSince < 0 {
				r.waitSince = f.PTS
			}
			return f.PTS-r.waitSince >= wait
		}
		r.waitKey = false
	}
	if r.tail-r.head == len(r.queue) {
		// Full: lose this frame and everything up to the next keyframe. What is queued stays, it
		// still decodes.
		r.dropped.Add(1)
		r.resyncs.Add(1)
		r.waitKey = true
		r.waitSince = f.PTS
		return false
	}
	r.queue[r.tail%len(r.queue)] = f
	r.tail++
	r.signal()
	return false
}

func (r *Reader) signal() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Read returns the next frame, blocking until there is one, ctx ends (ctx.Err()) or the reader is
// closed (ErrClosed). The first frame, and the first after any loss, is a keyframe.
func (r *Reader) Read(ctx context.Context) (*media.Frame, error) {
	for {
		r.mu.Lock()
		if r.head != r.tail {
			i := r.head % len(r.queue)
			f := r.queue[i]
			r.queue[i] = nil
			r.head++
			r.mu.Unlock()
			r.delivered.Add(1)
			return f, nil
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-r.done:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close unregisters the reader and wakes a blocked Read. It is idempotent.
func (r *Reader) Close() {
	r.closeOnce.Do(func() {
		r.hub.removeReader(r)
		close(r.done)
		r.mu.Lock()
		clear(r.queue)
		r.head, r.tail = 0, 0
		r.mu.Unlock()
	})
}

// ReaderStats are one reader's counters.
type ReaderStats struct {
	Name      string
	Queued    int
	Delivered uint64
	Dropped   uint64
	Resyncs   uint64
}

// Stats returns the reader's counters.
func (r *Reader) Stats() ReaderStats {
	r.mu.Lock()
	queued := r.tail - r.head
	r.mu.Unlock()
	return ReaderStats{
		Name:      r.name,
		Queued:    queued,
		Delivered: r.delivered.Load(),
		Dropped:   r.dropped.Load(),
		Resyncs:   r.resyncs.Load(),
	}
}
