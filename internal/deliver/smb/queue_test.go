package smb

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/deliver/servertest"

	"github.com/freecam/freecam/internal/testutil"
)

// counting wraps a target and counts its successful deliveries per item.
type counting struct {
	deliver.Target
	mu sync.Mutex
	ok map[string]int
}

func (c *counting) Deliver(ctx context.Context, it deliver.Item) error {
	err := c.Target.Deliver(ctx, it)
	if err == nil {
		c.mu.Lock()
		c.ok[it.ID]++
		c.mu.Unlock()
	}
	return err
}

// TestQueueThroughOutage is the end-to-end case of the issue: smbd is down while 5 items are
// enqueued; once it is back all 5 arrive, each delivered once.
func TestQueueThroughOutage(t *testing.T) {
	s := servertest.StartSMB(t, "cam", "pw")
	ct := &counting{Target: newTarget(t, s, remote(s)), ok: map[string]int{}}
	q, err := deliver.NewQueue(deliver.Options{Dir: t.TempDir(), Target: ct, Timeout: 5 * time.Second,
		Backoff: backoff.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	local := t.TempDir()
	want := map[string][]byte{}
	for i := range 5 {
		p, data := file(t, local, fmt.Sprintf("%d.jpg", i), 10_000+i)
		name := fmt.Sprintf("2026-11-26_14-35-0%d", i)
		want[name] = data
		if err := q.Enqueue(deliver.Item{ID: fmt.Sprintf("e%d-snap-smb", i), Kind: deliver.Snapshot,
			Files: []string{p}, Name: name, Group: "2026-11-26/14"}); err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitWithin(t, 20*time.Second, "a failed attempt while smbd is down", func() bool { return q.Status().Failures > 0 })
	if st := q.Status(); st.Delivered != 0 {
		t.Fatalf("smbd down: got %d delivered, want 0", st.Delivered)
	}
	s.Start()
	testutil.WaitWithin(t, 20*time.Second, "5 deliveries", func() bool { st := q.Status(); return st.Delivered == 5 && st.Queued == 0 })

	dir := filepath.Join(s.Dir(), "dafang/dafang_camera/stills/2026-11-26/14")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Errorf("got %d files in %s, want 5", len(entries), dir)
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name+".jpg"))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: got %d bytes (%v), want the %d bytes enqueued", name, len(got), err, len(data))
		}
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for id, n := range ct.ok {
		if n != 1 {
			t.Errorf("item %s: delivered %d times, want once", id, n)
		}
	}
	if len(ct.ok) != 5 {
		t.Errorf("got %d items delivered, want 5", len(ct.ok))
	}
}
