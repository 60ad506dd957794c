package pipeline

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/media"
)

// fakeEncoder stands in for x264 here (the real one is tested in internal/encode and end to end in
// internal/app): it records what it was given and can be made slow.
type fakeEncoder struct {
	w, h     int
	gate     chan struct{} // when non-nil, each Encode waits for a token
	entered  chan struct{} // when non-nil, told each time Encode starts waiting on gate
	keyNext  atomic.Bool
	closed   atomic.Bool
	encoded  atomic.Int32
	failWith error
}

func (e *fakeEncoder) Encode(raw *media.RawFrame, emit func(*media.Frame)) error {
	if raw.Width != e.w || raw.Height != e.h {
		return errors.New("size changed")
	}
	if e.gate != nil {
		if e.entered != nil {
			select {
			case e.entered <- struct{}{}:
			default:
			}
		}
		<-e.gate
	}
	if e.failWith != nil {
		return e.failWith
	}
	e.encoded.Add(1)
	emit(&media.Frame{Codec: media.CodecH264, PTS: raw.PTS, Key: e.keyNext.Swap(false), NALUs: [][]byte{{0x41}}})
	return nil
}
func (e *fakeEncoder) RequestKeyframe() { e.keyNext.Store(true) }
func (e *fakeEncoder) Close() error     { e.closed.Store(true); return nil }

type collector struct {
	mu     sync.Mutex
	frames []*media.Frame
}

func (c *collector) publish(f *media.Frame) {
	c.mu.Lock()
	c.frames = append(c.frames, f)
	c.mu.Unlock()
}

func (c *collector) waitFor(t *testing.T, n int) []*media.Frame {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		c.mu.Lock()
		got := append([]*media.Frame(nil), c.frames...)
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d published frames, want %d", len(got), n)
		}
		time.Sleep(time.Millisecond)
	}
}

type recorder struct {
	mu  sync.Mutex
	ids []uint64
}

func (r *recorder) Put(f *media.RawFrame)  { r.mu.Lock(); r.ids = append(r.ids, f.ID); r.mu.Unlock() }
func (r *recorder) Draw(f *media.RawFrame) { f.Y[0] = 0xEE }

func raw(w, h int, pts time.Duration) *media.RawFrame {
	f := media.NewRawFrame(w, h)
	f.PTS = pts
	return f
}

// startRun runs the encoder goroutine; stop (also run at cleanup, so a failed test never leaks it
// into the next test's leak check) cancels it and waits.
func startRun(t *testing.T, p *Pipeline) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run returned %v, want nil on cancel", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRawFramesAreNumberedDrawnSnapshottedAndEncoded(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c collector
	snap := &recorder{}
	var enc *fakeEncoder
	p := New(Options{
		NewEncoder: func(w, h int) (Encoder, error) { enc = &fakeEncoder{w: w, h: h}; return enc, nil },
		Overlay:    snap,
		Snapshots:  snap,
		Publish:    c.publish,
	})
	stop := startRun(t, p)
	f := raw(16, 16, 0)
	p.WriteRaw(f)
	c.waitFor(t, 1)
	if f.ID != 1 || f.Y[0] != 0xEE {
		t.Errorf("got ID %d and Y[0] %#x, want ID 1 and the overlay's 0xEE", f.ID, f.Y[0])
	}
	if len(snap.ids) != 1 || snap.ids[0] != 1 {
		t.Errorf("got snapshot ids %v, want [1]", snap.ids)
	}
	stop()
	if !enc.closed.Load() {
		t.Errorf("got the encoder still open after Run returned, want it closed")
	}
}

func TestSlowEncoderNeverBlocksTheSource(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c collector
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	p := New(Options{
		NewEncoder: func(w, h int) (Encoder, error) {
			return &fakeEncoder{w: w, h: h, gate: gate, entered: entered}, nil
		},
		Publish: c.publish,
	})
	stop := startRun(t, p)
	p.WriteRaw(raw(16, 16, 0))
	select { // wait until the encoder holds frame 0 and is stuck on it
	case <-entered:
	case <-time.After(2 * time.Second):
		t.Fatal("got no Encode call for the first frame within 2 s")
	}
	// The encoder is now stuck on frame 1: the source must still be able to write 100 frames.
	done := make(chan struct{})
	go func() {
		for i := 1; i <= 100; i++ {
			p.WriteRaw(raw(16, 16, time.Duration(i)*time.Millisecond))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("got WriteRaw blocked behind a slow encoder, want it never to block")
	}
	close(gate)
	got := c.waitFor(t, 2)
	if last := got[len(got)-1].PTS; last != 100*time.Millisecond {
		t.Errorf("got last encoded PTS %v, want the newest picture (100ms)", last)
	}
	if d := p.Stats().MailboxDrops; d < 90 {
		t.Errorf("got %d mailbox drops, want about 99", d)
	}
	stop()
}

func TestKeyframeRequestReachesTheEncoder(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c collector
	p := New(Options{
		NewEncoder: func(w, h int) (Encoder, error) { return &fakeEncoder{w: w, h: h}, nil },
		Publish:    c.publish,
	})
	stop := startRun(t, p)
	defer stop()
	p.WriteRaw(raw(16, 16, 0))
	c.waitFor(t, 1)
	p.RequestKeyframe()
	p.WriteRaw(raw(16, 16, time.Millisecond))
	if got := c.waitFor(t, 2); !got[1].Key {
		t.Errorf("got a non-key frame after RequestKeyframe, want a keyframe")
	}
}

func TestSizeChangeMakesANewEncoder(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c collector
	var made atomic.Int32
	p := New(Options{
		NewEncoder: func(w, h int) (Encoder, error) { made.Add(1); return &fakeEncoder{w: w, h: h}, nil },
		Publish:    c.publish,
	})
	stop := startRun(t, p)
	defer stop()
	p.WriteRaw(raw(16, 16, 0))
	c.waitFor(t, 1)
	p.WriteRaw(raw(32, 16, time.Millisecond))
	c.waitFor(t, 2)
	if made.Load() != 2 {
		t.Errorf("got %d encoders made, want 2", made.Load())
	}
}

func TestEncoderErrorsAreCountedNotFatal(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c collector
	p := New(Options{
		NewEncoder: func(w, h int) (Encoder, error) { return nil, errors.New("no encoder") },
		Publish:    c.publish,
	})
	stop := startRun(t, p)
	for i := range 3 {
		p.WriteRaw(raw(16, 16, time.Duration(i)))
		deadline := time.Now().Add(time.Second)
		for p.Stats().EncodeErrors < uint64(i+1) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	stop()
	if got := p.Stats().EncodeErrors; got != 3 {
		t.Errorf("got %d encode errors, want 3", got)
	}
}

func TestTimestampsStayMonotonicAcrossSourceRestarts(t *testing.T) {
	var c collector
	p := New(Options{Publish: c.publish})
	p.SourceStarting()
	for i := range 3 { // first run: 0, 40, 80 ms
		p.WriteEncoded(&media.Frame{PTS: time.Duration(i) * 40 * time.Millisecond})
	}
	p.SourceStarting()
	for i := range 2 { // the restarted source counts from 0 again
		p.WriteEncoded(&media.Frame{PTS: time.Duration(i) * 40 * time.Millisecond})
	}
	want := []time.Duration{0, 40, 80, 120, 160}
	for i, f := range c.frames {
		if f.PTS != want[i]*time.Millisecond {
			t.Errorf("frame %d: got PTS %v, want %v", i, f.PTS, want[i]*time.Millisecond)
		}
	}
}

func TestRawWithoutEncoderStillFeedsSnapshots(t *testing.T) {
	snap := &recorder{}
	p := New(Options{Snapshots: snap, Publish: func(*media.Frame) { t.Error("got a published frame with no encoder") }})
	p.WriteRaw(raw(16, 16, 0))
	p.WriteRaw(raw(16, 16, 1))
	if len(snap.ids) != 2 {
		t.Errorf("got %d snapshot frames, want 2", len(snap.ids))
	}
	if p.LastFrame().IsZero() {
		t.Errorf("got a zero LastFrame after frames, want the time of the last one")
	}
}
