package snapshot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

func TestCacheNoFrame(t *testing.T) {
	c := New(&Mailbox{}, Options{FirstFrameWait: 50 * time.Millisecond})
	defer c.Close()
	if _, err := c.Get(context.Background(), Request{}); !errors.Is(err, ErrNoFrame) {
		t.Fatalf("Get before the first frame: got %v, want ErrNoFrame", err)
	}
}

// A request just before the first frame (a start, a reload) waits for it instead of failing.
func TestCacheWaitsForTheFirstFrame(t *testing.T) {
	var mb Mailbox
	c := New(&mb, Options{FirstFrameWait: 10 * time.Second})
	defer c.Close()
	got := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), Request{})
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Get returned %v before any frame", err)
	case <-time.After(50 * time.Millisecond):
	}
	mb.Put(withID(noisyFrames(64, 48, 1)[0], 1)) // the pipeline numbers frames from 1
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("Get after the first frame: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Get did not return after the first frame")
	}
}

func TestCacheEncodesOncePerFrameAndKey(t *testing.T) {
	var mb Mailbox
	frames := noisyFrames(320, 240, 2)
	c := New(&mb, Options{Quality: 70})
	defer c.Close()
	ctx := context.Background()

	mb.Put(withID(frames[0], 1))
	a, err := c.Get(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Get(ctx, Request{Quality: 70}) // the default quality: same key
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("second Get of the same frame and key: got a new image, want the cached one")
	}
	if a.Quality != 70 || a.Width != 320 || a.Height != 240 || a.FrameID != 1 {
		t.Errorf("image: got %dx%d q%d frame %d, want 320x240 q70 frame 1", a.Width, a.Height, a.Quality, a.FrameID)
	}
	if _, err := c.Get(ctx, Request{Width: 160}); err != nil { // another key
		t.Fatal(err)
	}
	if got := c.Stats().Encodes; got != 2 {
		t.Errorf("encodes after 2 keys on one frame: got %d, want 2", got)
	}
	mb.Put(withID(frames[1], 2))
	d, err := c.Get(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if d.FrameID != 2 {
		t.Errorf("after a new frame: got frame %d, want 2", d.FrameID)
	}
	if got := c.Stats().Encodes; got != 3 {
		t.Errorf("encodes after a new frame: got %d, want 3", got)
	}
}

func TestCacheSingleflight(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(640, 360, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	release := make(chan struct{})
	c.beforeEncode = func() { <-release }

	const n = 20
	var wg sync.WaitGroup
	imgs := make([]*Image, n)
	for i := range n {
		wg.Go(func() {
			img, err := c.Get(context.Background(), Request{Width: 320})
			if err != nil {
				t.Errorf("Get: %v", err)
			}
			imgs[i] = img
		})
	}
	// Hold the one encode until every other request waits for it.
	testutil.WaitFor(t, "19 requests to wait for the encode", func() bool { return c.Stats().Shared == n-1 })
	close(release)
	wg.Wait()
	if got := c.Stats().Encodes; got != 1 {
		t.Errorf("encodes for %d concurrent requests: got %d, want 1", n, got)
	}
	for i, img := range imgs {
		if img != imgs[0] {
			t.Fatalf("request %d got a different image than request 0", i)
		}
	}
}

func TestCacheKeepsFewKeys(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(320, 240, 1)[0], 1))
	c := New(&mb, Options{MaxKeys: 2})
	defer c.Close()
	ctx := context.Background()
	for _, w := range []int{64, 96, 128} {
		if _, err := c.Get(ctx, Request{Width: w}); err != nil {
			t.Fatal(err)
		}
	}
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	if n != 2 {
		t.Errorf("keys kept: got %d, want 2", n)
	}
	// The oldest key (64) was dropped: asking again encodes again; 128 is still cached.
	before := c.Stats().Encodes
	if _, err := c.Get(ctx, Request{Width: 128}); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats().Encodes; got != before {
		t.Errorf("recent key re-encoded: encodes got %d, want %d", got, before)
	}
	if _, err := c.Get(ctx, Request{Width: 64}); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats().Encodes; got != before+1 {
		t.Errorf("dropped key: encodes got %d, want %d", got, before+1)
	}
}

func TestCacheGetAfterClose(t *testing.T) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(64, 64, 1)[0], 1))
	c := New(&mb, Options{})
	if _, err := c.Get(context.Background(), Request{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), Request{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: got %v, want ErrClosed", err)
	}
}

func BenchmarkCacheHit(b *testing.B) {
	var mb Mailbox
	mb.Put(withID(noisyFrames(1280, 720, 1)[0], 1))
	c := New(&mb, Options{})
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get(ctx, Request{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if c.Stats().Encodes != 1 {
		b.Errorf("encodes: got %d, want 1", c.Stats().Encodes)
	}
}

// BenchmarkCacheMiss is the cost of one snapshot of a new 1280×720 frame (scale-free path).
func BenchmarkCacheMiss(b *testing.B) {
	var mb Mailbox
	frames := noisyFrames(1280, 720, 2)
	c := New(&mb, Options{})
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	id := uint64(0)
	for b.Loop() {
		id++
		mb.Put(withID(frames[id%2], id))
		if _, err := c.Get(ctx, Request{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCacheMatchesFrameIDExactly(t *testing.T) {
	var mb Mailbox
	frames := noisyFrames(160, 120, 2)
	c := New(&mb, Options{})
	defer c.Close()
	ctx := context.Background()
	mb.Put(withID(frames[0], 50))
	if _, err := c.Get(ctx, Request{}); err != nil {
		t.Fatal(err)
	}
	// A restarted pipeline counting from 1 again must not get frame 50's picture.
	mb.Put(withID(frames[1], 1))
	img, err := c.Get(ctx, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if img.FrameID != 1 {
		t.Errorf("after the IDs restarted: got frame %d, want 1", img.FrameID)
	}
}
