package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/media"
)

// ErrNoFrame is returned by Get before the first frame has been put into the Mailbox.
var ErrNoFrame = errors.New("snapshot: no frame yet")

// ErrClosed is returned by Get after Close.
var ErrClosed = errors.New("snapshot: cache closed")

// Options configures a Cache. The zero value is usable.
type Options struct {
	// Quality is the JPEG quality (1..100) of a request that names none: freecam.conf's
	// SNAPSHOT_QUALITY. 0 means 80.
	Quality int
	// MaxKeys is how many distinct (width, height, quality) results are kept; the least recently
	// asked for is dropped first. Only the latest frame's JPEG is kept per key. 0 means 4.
	MaxKeys int
	// Encoders caps how many JPEG encodes (of different keys) run at once; each holds an encoder
	// and scaling buffers. 0 means min(GOMAXPROCS, 4).
	Encoders int
	// RetryAfter is the Retry-After of the 503 answered before the first frame. 0 means 1 s.
	RetryAfter time.Duration
	// FirstFrameWait is how long Get waits for the first frame before answering ErrNoFrame, so
	// a snapshot asked for just after a start or a reload arrives a moment late instead of
	// failing. 0 means 3 s; negative means no wait.
	FirstFrameWait time.Duration
	// WriteTimeout bounds writing one MJPEG part to a client; a client that reads slower is
	// dropped. 0 means 10 s.
	WriteTimeout time.Duration
	// NoFrameReason, when set and returning a non-empty text, replaces the "retry shortly" of
	// the 503 answered without a picture: the app knows when none will ever come (a source
	// that delivers only H.264). Called only on that error path.
	NoFrameReason func() string
	// Logger receives the rare unexpected errors (a failed encode). nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Quality <= 0 || o.Quality > 100 {
		o.Quality = encode.DefaultJPEGQuality
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 4
	}
	if o.Encoders <= 0 {
		o.Encoders = min(runtime.GOMAXPROCS(0), 4)
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Second
	}
	if o.FirstFrameWait == 0 {
		o.FirstFrameWait = 3 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Request asks for a snapshot. Zero fields mean full width/height (see FitSize) and the default
// quality; Quality outside 1..100 is clamped.
type Request struct {
	Width, Height int
	Quality       int
}

// Image is one encoded snapshot. It is shared by every request that gets it and must not be
// modified.
type Image struct {
	FrameID       uint64
	Time          time.Time // the frame's capture time
	Width, Height int
	Quality       int
	JPEG          []byte
}

// Stats counts what a Cache did since New.
type Stats struct {
	Encodes uint64 // JPEG encodes run
	Hits    uint64 // requests answered from an already encoded JPEG
	Shared  uint64 // requests that waited for another request's encode of the same key and frame
	Streams int64  // MJPEG streams being served now
}

// Cache turns the Mailbox's latest frame into JPEG images, encoding each frame at most once per
// (width, height, quality) and sharing the result. Requests for the same key and frame that arrive
// while it is being encoded wait for that one encode. A request never waits for a newer frame.
//
// All methods are goroutine-safe. New starts nothing; Close ends the MJPEG streams, waits for them
// and frees the encoders.
type Cache struct {
	mb   *Mailbox
	opts Options
	log  *slog.Logger

	ctx    context.Context // ended by Close
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	entries map[key]*entry
	tick    uint64
	streams sync.WaitGroup

	idle    chan *worker  // encoders not in use
	created chan struct{} // one token per encoder created, caps them at opts.Encoders
	encodes atomic.Uint64
	hits    atomic.Uint64
	shared  atomic.Uint64
	active  atomic.Int64

	beforeEncode func() // test hook, called by the encoding request before it encodes
}

type key struct{ w, h, q int }

type entry struct {
	img  *Image // latest finished JPEG for this key
	call *call  // encode in flight, or nil
	used uint64 // last use, for eviction
}

// call is one encode in flight; done is closed once img/err are set.
type call struct {
	id   uint64
	done chan struct{}
	img  *Image
	err  error
}

// worker is an encoder with its scaling buffers; one goroutine uses it at a time.
type worker struct {
	enc     *encode.JPEGEncoder
	buf     []byte
	scalers []sizedScaler
}

type sizedScaler struct {
	w, h int
	s    *Scaler
}

// New returns a Cache for mb's frames.
func New(mb *Mailbox, opts Options) *Cache {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Cache{
		mb:      mb,
		opts:    opts,
		log:     opts.Logger.With("component", "snapshot"),
		ctx:     ctx,
		cancel:  cancel,
		entries: make(map[key]*entry, opts.MaxKeys),
		idle:    make(chan *worker, opts.Encoders),
		created: make(chan struct{}, opts.Encoders),
	}
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Encodes: c.encodes.Load(),
		Hits:    c.hits.Load(),
		Shared:  c.shared.Load(),
		Streams: c.active.Load(),
	}
}

// Get returns the JPEG of the latest frame for req: from the cache if it was already encoded for
// this frame, else by encoding it (or waiting for the request that is already encoding it). It
// waits up to Options.FirstFrameWait for the first frame, then returns ErrNoFrame; it returns
// ctx's error if ctx ends while it waits.
func (c *Cache) Get(ctx context.Context, req Request) (*Image, error) {
	if c.mb.Latest() == nil && !c.waitFirstFrame(ctx) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, ErrNoFrame
	}
	return c.get(ctx, c.mb.Latest(), req)
}

// waitFirstFrame waits up to Options.FirstFrameWait for a first frame and reports whether one
// came.
func (c *Cache) waitFirstFrame(ctx context.Context) bool {
	if c.opts.FirstFrameWait < 0 {
		return false
	}
	wctx, cancel := context.WithTimeout(ctx, c.opts.FirstFrameWait)
	defer cancel()
	_, _ = c.mb.Next(wctx, 0) // frames are numbered from 1
	return c.mb.Latest() != nil
}

// get returns the JPEG of f (or of a newer frame already encoded) for req.
func (c *Cache) get(ctx context.Context, f *media.RawFrame, req Request) (*Image, error) {
	k := c.keyFor(f, req)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	e := c.entryLocked(k)
	// Frames are matched by ID, not "at least": a restarted pipeline must not serve an old
	// picture because its IDs were higher.
	if e.img != nil && e.img.FrameID == f.ID {
		img := e.img
		c.mu.Unlock()
		c.hits.Add(1)
		return img, nil
	}
	if cl := e.call; cl != nil && cl.id == f.ID {
		c.mu.Unlock()
		c.shared.Add(1)
		select {
		case <-cl.done:
			return cl.img, cl.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	cl := &call{id: f.ID, done: make(chan struct{})}
	e.call = cl
	c.mu.Unlock()

	// The encode does not depend on this request's ctx: others may be waiting for it.
	cl.img, cl.err = c.encode(f, k)

	c.mu.Lock()
	if e.call == cl {
		e.call = nil
	}
	if cl.err == nil && (e.img == nil || e.img.FrameID < cl.id || c.mb.Latest() == f) {
		e.img = cl.img
	}
	c.mu.Unlock()
	close(cl.done)
	if cl.err != nil && !errors.Is(cl.err, ErrClosed) {
		c.log.Warn("jpeg encode failed", "width", k.w, "height", k.h, "err", cl.err)
	}
	return cl.img, cl.err
}

func (c *Cache) keyFor(f *media.RawFrame, req Request) key {
	w, h := FitSize(f.Width, f.Height, req.Width, req.Height)
	q := req.Quality
	switch {
	case q == 0:
		q = c.opts.Quality
	case q < 1:
		q = 1
	case q > 100:
		q = 100
	}
	return key{w, h, q}
}

// entryLocked returns k's entry, making room for it by dropping the least recently used key
// without an encode in flight.
func (c *Cache) entryLocked(k key) *entry {
	c.tick++
	if e, ok := c.entries[k]; ok {
		e.used = c.tick
		return e
	}
	for len(c.entries) >= c.opts.MaxKeys {
		var oldK key
		var old *entry
		for ek, e := range c.entries {
			if e.call == nil && (old == nil || e.used < old.used) {
				oldK, old = ek, e
			}
		}
		if old == nil {
			break // every key is being encoded; go over the limit until they finish
		}
		delete(c.entries, oldK)
	}
	e := &entry{used: c.tick}
	c.entries[k] = e
	return e
}

// encode scales and compresses f for k with a pooled worker.
func (c *Cache) encode(f *media.RawFrame, k key) (*Image, error) {
	w, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release(w)
	if c.beforeEncode != nil {
		c.beforeEncode()
	}
	src := w.scaler(k.w, k.h).Scale(f, k.w, k.h)
	buf, err := w.enc.Encode(w.buf[:0], src, k.q)
	if err != nil {
		return nil, fmt.Errorf("snapshot: encode frame %d at %dx%d: %w", f.ID, k.w, k.h, err)
	}
	w.buf = buf
	c.encodes.Add(1)
	return &Image{
		FrameID: f.ID, Time: f.Time,
		Width: k.w, Height: k.h, Quality: k.q,
		JPEG: bytes.Clone(buf), // shared with readers for as long as they write it out
	}, nil
}

func (w *worker) scaler(width, height int) *Scaler {
	for _, s := range w.scalers {
		if s.w == width && s.h == height {
			return s.s
		}
	}
	s := sizedScaler{width, height, &Scaler{}}
	if len(w.scalers) >= 4 {
		copy(w.scalers, w.scalers[1:])
		w.scalers = w.scalers[:3]
	}
	w.scalers = append(w.scalers, s)
	return s.s
}

func (c *Cache) acquire() (*worker, error) {
	select {
	case w := <-c.idle:
		return w, nil
	default:
	}
	select {
	case w := <-c.idle:
		return w, nil
	case c.created <- struct{}{}:
		return &worker{enc: encode.NewJPEG()}, nil
	case <-c.ctx.Done():
		return nil, ErrClosed
	}
}

func (c *Cache) release(w *worker) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		_ = w.enc.Close()
		return
	}
	c.idle <- w // never blocks: at most opts.Encoders workers exist
}

// Close ends every MJPEG stream, waits for their handlers to return and frees the encoders.
// Requests after Close fail with ErrClosed (HTTP 503).
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.entries = nil
	c.mu.Unlock()
	c.cancel()
	c.streams.Wait()
	for {
		select {
		case w := <-c.idle:
			_ = w.enc.Close()
		default:
			return nil
		}
	}
}

// startStream registers an MJPEG stream so Close can wait for it; false after Close.
func (c *Cache) startStream() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.streams.Add(1)
	c.active.Add(1)
	return true
}

func (c *Cache) endStream() {
	c.active.Add(-1)
	c.streams.Done()
}
