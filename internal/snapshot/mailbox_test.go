package snapshot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

func TestMailboxLatestWins(t *testing.T) {
	var m Mailbox
	if got := m.Latest(); got != nil {
		t.Fatalf("Latest before Put: got frame %d, want nil", got.ID)
	}
	for id := uint64(1); id <= 3; id++ {
		m.Put(&media.RawFrame{ID: id})
	}
	m.Put(nil)
	if got := m.Latest(); got == nil || got.ID != 3 {
		t.Fatalf("Latest: got %v, want frame 3", got)
	}
	f, err := m.Next(context.Background(), 1)
	if err != nil || f.ID != 3 {
		t.Fatalf("Next(after 1): got %v, %v; want frame 3 at once", f, err)
	}
}

func TestMailboxNextWaitsForNewerFrame(t *testing.T) {
	var m Mailbox
	m.Put(&media.RawFrame{ID: 5})
	got := make(chan uint64, 1)
	go func() {
		f, err := m.Next(context.Background(), 5)
		if err != nil {
			got <- 0
			return
		}
		got <- f.ID
	}()
	select {
	case id := <-got:
		t.Fatalf("Next(after 5) returned frame %d before a newer Put", id)
	case <-time.After(20 * time.Millisecond): // a negative check: the waiter must still be waiting
	}
	m.Put(&media.RawFrame{ID: 6})
	select {
	case id := <-got:
		if id != 6 {
			t.Fatalf("Next: got frame %d, want 6", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after Put")
	}
}

func TestMailboxNextHonoursContext(t *testing.T) {
	var m Mailbox
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := m.Next(ctx, 0)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Next after cancel: got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
}

func TestMailboxPutDoesNotAllocate(t *testing.T) {
	var m Mailbox
	frames := []*media.RawFrame{{ID: 1}, {ID: 2}}
	i := 0
	// With a waiter registered, too: Put only closes the waiters' channel.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = m.Next(ctx, ^uint64(0)) })
	allocs := testing.AllocsPerRun(100, func() {
		m.Put(frames[i%2])
		i++
	})
	cancel()
	wg.Wait()
	if allocs != 0 {
		t.Errorf("allocations per Put: got %v, want 0", allocs)
	}
}

func TestMailboxConcurrent(t *testing.T) {
	var m Mailbox
	const n = 2000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var last uint64
			for last < n {
				f, err := m.Next(ctx, last)
				if err != nil {
					t.Errorf("Next: %v", err)
					return
				}
				if f.ID <= last {
					t.Errorf("Next went backwards: got %d after %d", f.ID, last)
					return
				}
				last = f.ID
			}
		})
	}
	for id := uint64(1); id <= n; id++ {
		m.Put(&media.RawFrame{ID: id})
	}
	wg.Wait()
}
