package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/backoff"
)

// The defaults of Options.
const (
	DefaultMaxAge   = 72 * time.Hour
	DefaultMaxItems = 500
	DefaultTimeout  = 2 * time.Minute
	DefaultBackoff  = 2 * time.Second // first retry delay, doubling
	DefaultMaxDelay = 5 * time.Minute // cap of the retry delay
)

// Options configure one Queue. The zero value of every field but Dir and Target is useful.
type Options struct {
	// Dir is the spool root; the queue keeps its items in Dir/<target name>/ (mode 0700).
	Dir    string
	Target Target
	// MaxAge: an item older than this (by Item.Created) is dropped with a log line and counted in
	// Status.Dropped instead of being tried again. Default 72 h.
	MaxAge time.Duration
	// MaxItems bounds the spool; when it is full the oldest item (not the one being sent) is
	// dropped, logged and counted. Default 500.
	MaxItems int
	// Backoff is the delay between failed attempts, one per queue (not per item): a success
	// resets it. A zero Initial means 2 s, a zero Max 5 min; ±20 % jitter.
	Backoff backoff.Backoff
	// Timeout bounds one Deliver call. Default 2 min.
	Timeout time.Duration
	Log     *slog.Logger     // default: discard
	Now     func() time.Time // the clock for MaxAge and Created; default time.Now
}

func (o *Options) defaults() {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.Backoff.Initial <= 0 {
		o.Backoff.Initial = DefaultBackoff
	}
	if o.Backoff.Max <= 0 {
		o.Backoff.Max = DefaultMaxDelay
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Queue is the durable queue of one target: Enqueue writes an item and its files to the spool
// and returns; Run, the queue's one worker, delivers the items oldest first, one at a time,
// retrying with backoff until they are delivered or too old. Items survive a restart (and a
// kill -9): NewQueue loads what a previous run left. All methods are safe for concurrent use.
type Queue struct {
	o    Options
	name string
	dir  string // Dir/<name>, absolute
	log  *slog.Logger

	wake    chan struct{} // an item was enqueued; capacity 1
	running atomic.Bool

	// Test hooks: sleep waits between attempts (backoff.Sleep), noLink forces copies.
	sleep  func(ctx context.Context, d time.Duration) bool
	noLink bool

	mu       sync.Mutex
	items    []*entry            // on disk, ascending seq
	ids      map[string]struct{} // IDs queued or being enqueued
	next     uint64              // the next sequence number
	busy     uint64              // seq of the item being delivered, 0 for none
	overflow bool                // the "spool full" warning was logged for this overflow
	st       Status
}

// entry is one spooled item: stem is its file name without ".json" (and the name of the
// directory that holds its files), it the item with Files pointing into that directory.
type entry struct {
	seq  uint64
	stem string
	it   Item
}

// NewQueue creates the queue's spool directory and loads the items a previous run left there;
// half-written and damaged item files are removed with a warning naming them. It does not start
// the worker: call Run.
func NewQueue(o Options) (*Queue, error) {
	if o.Target == nil {
		return nil, errors.New("deliver: queue without a target")
	}
	if o.Dir == "" {
		return nil, errors.New("deliver: queue without a spool directory")
	}
	name := o.Target.Name()
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("deliver: target name %q: %w", name, err)
	}
	o.defaults()
	root, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("deliver: %s: spool directory: %w", name, err)
	}
	q := &Queue{
		o:    o,
		name: name,
		dir:  filepath.Join(root, name),
		log:  o.Log.With("component", "deliver", "target", name),
		wake: make(chan struct{}, 1),
		ids:  make(map[string]struct{}),
		next: 1,
		st:   Status{Target: name},
	}
	q.sleep = backoff.Sleep
	if err := q.load(); err != nil {
		return nil, err
	}
	return q, nil
}

// Name is the target's name.
func (q *Queue) Name() string { return q.name }

// Enqueue stores it durably and returns; it never waits for the target. Its files are hard
// linked into the spool (copied where linking is impossible, as across file systems), so the
// originals may be deleted as soon as Enqueue returns; the item's JSON is written to a
// temporary file, synced and renamed. The delivered Item's Files are the spool's copies. A zero
// Created becomes now. It fails for an ID that is not [0-9a-z-] or is already queued, and when
// the disk refuses the write (full, read-only): nothing is queued then.
func (q *Queue) Enqueue(it Item) error {
	if err := checkName(it.ID); err != nil {
		return fmt.Errorf("deliver: %s: item id %q: %w", q.name, it.ID, err)
	}
	if it.Created.IsZero() {
		it.Created = q.o.Now()
	}
	q.mu.Lock()
	if _, dup := q.ids[it.ID]; dup {
		q.mu.Unlock()
		return fmt.Errorf("deliver: %s: item %s is already queued", q.name, it.ID)
	}
	q.ids[it.ID] = struct{}{}
	seq := q.next
	q.next++
	q.mu.Unlock()

	e, err := q.write(seq, it)
	if err != nil {
		q.mu.Lock()
		delete(q.ids, it.ID)
		q.mu.Unlock()
		return fmt.Errorf("deliver: %s: enqueue %s: %w", q.name, it.ID, err)
	}

	q.mu.Lock()
	i, _ := slices.BinarySearchFunc(q.items, seq, func(e *entry, s uint64) int { return cmpSeq(e.seq, s) })
	q.items = slices.Insert(q.items, i, e)
	victims := q.trim()
	q.mu.Unlock()
	for _, v := range victims {
		q.remove(v)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// trim takes the oldest items beyond MaxItems out of the queue (never the one being sent) and
// returns them for removal. q.mu is held.
func (q *Queue) trim() []*entry {
	var victims []*entry
	for len(q.items) > q.o.MaxItems {
		i := 0
		if q.items[0].seq == q.busy {
			i = 1
		}
		v := q.items[i]
		q.items = slices.Delete(q.items, i, i+1)
		delete(q.ids, v.it.ID)
		q.st.Dropped++
		victims = append(victims, v)
		if !q.overflow {
			q.overflow = true
			q.log.Warn("spool full: dropping the oldest items", "max_items", q.o.MaxItems, "item", v.it.ID, "event", v.it.Event)
		} else {
			q.log.Debug("spool full: dropped an item", "item", v.it.ID, "event", v.it.Event)
		}
	}
	return victims
}

// Status is the queue's state: items waiting (the one being sent included) and the counters
// since NewQueue.
func (q *Queue) Status() Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.st
	s.Queued = len(q.items)
	return s
}

// checkName accepts what is safe in a file name on every file system: [0-9a-z-], 1 to 128
// characters, not starting with '-'.
func checkName(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if len(s) > 128 {
		return fmt.Errorf("%d characters, at most 128 allowed", len(s))
	}
	if s[0] == '-' {
		return errors.New("starts with '-'")
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-') {
			return fmt.Errorf("character %q not allowed, only [0-9a-z-]", c)
		}
	}
	return nil
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
