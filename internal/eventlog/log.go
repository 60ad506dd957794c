// Package eventlog is the camera's event timeline: it records what the event bus announces (night
// mode, motion, service state changes) with a line of text for people and, for motion, a
// thumbnail, keeps the last events in memory for the web UI and the API, and persists them as JSON
// lines so they survive a restart.
//
// It is the event index behind the UI's timeline and /api/v1/events. The format is JSON lines,
// appended one event at a time and compacted when the file grows past twice what is kept:
// appending is one small write per event (cheap on an SD card, no database to corrupt on a power
// cut — a torn last line is skipped on reading), and a person can read it with any tool. An
// event's media are not stored in it: the picture and the clip are named from the event's start
// time by motion.conf's date patterns, so the app finds them from the event (and a file that
// retention deleted simply stops being linked).
//
// Recording never depends on the disk: a full or broken disk only loses persistence, and is
// logged at most once a minute. It never blocks the bus: thumbnails are taken by a worker of its
// own and skipped when it falls behind.
package eventlog

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/event"
)

// Defaults of Options.
const (
	DefaultMaxEvents = 1000
	DefaultMaxThumbs = 200
)

// Options configure a Log. The zero value of each field is usable except Dir.
type Options struct {
	Dir string     // where events.jsonl and thumbs/ live (the data dir's events/); required
	Bus *event.Bus // the events to record; required by Run
	// Thumb returns a small JPEG of the current picture for a motion event; nil means no
	// thumbnails. It is called off the bus's path, with a deadline, one call at a time.
	Thumb     func(ctx context.Context) ([]byte, error)
	MaxEvents int          // events kept (memory and file); 0 means DefaultMaxEvents
	MaxThumbs int          // thumbnails kept on disk, oldest deleted first; 0 means DefaultMaxThumbs
	Log       *slog.Logger // nil discards
}

// Log is the event timeline. Events and Thumb are safe for concurrent use with Run.
type Log struct {
	opts   Options
	path   string // events.jsonl
	thumb  string // thumbs/
	now    func() time.Time
	ready  func()        // tests: called once Run has subscribed
	readyC chan struct{} // tests: closed by ready

	mu     sync.Mutex
	events []camera.Event // oldest first, at most MaxEvents
	thumbs []string       // ids with a thumbnail on disk, oldest first, at most MaxThumbs
	failAt time.Time      // last time a disk problem was logged
	failed int            // disk problems since, not logged

	// Owned by Run's goroutine (and New before it).
	lines  int  // lines in events.jsonl
	needNL bool // the file does not end in a newline (a write cut short)
}

// New loads the timeline kept in opts.Dir (creating the directory) and returns it. It starts
// nothing; Run records. Only a missing Dir is an error: a directory that cannot be read or
// created is logged and the timeline lives in memory.
func New(opts Options) (*Log, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("eventlog: no directory")
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.MaxThumbs <= 0 {
		opts.MaxThumbs = DefaultMaxThumbs
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	l := &Log{
		opts:  opts,
		path:  filepath.Join(opts.Dir, "events.jsonl"),
		thumb: filepath.Join(opts.Dir, "thumbs"),
		now:   time.Now,
	}
	if err := os.MkdirAll(l.thumb, 0o755); err != nil {
		l.problem("create "+l.thumb, err)
	}
	loaded := l.load()
	l.loadThumbs(loaded)
	if l.lines > 2*opts.MaxEvents {
		l.compact()
	}
	return l, nil
}

// Events returns the most recent events, newest first, at most n (all when n <= 0). The slice is
// the caller's.
func (l *Log) Events(n int) []camera.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n <= 0 || n > len(l.events) {
		n = len(l.events)
	}
	out := slices.Clone(l.events[len(l.events)-n:])
	slices.Reverse(out)
	return out
}

// Thumb returns the JPEG thumbnail of event id. It refuses ids that are not event ids (so no path
// can be named) and reports false when there is none.
func (l *Log) Thumb(id string) ([]byte, bool) {
	if !ValidID(id) {
		return nil, false
	}
	b, err := os.ReadFile(l.thumbPath(id))
	if err != nil {
		return nil, false
	}
	return b, true
}

// problem logs a failure to persist or to take a thumbnail, at most once a minute; the others
// are counted and reported with the next one logged. Recording in memory goes on.
func (l *Log) problem(msg string, err error) {
	l.mu.Lock()
	now := l.now()
	if !l.failAt.IsZero() && now.Sub(l.failAt) < time.Minute {
		l.failed++
		l.mu.Unlock()
		return
	}
	suppressed := l.failed
	l.failAt, l.failed = now, 0
	l.mu.Unlock()
	l.opts.Log.Warn("eventlog: "+msg, "err", err, "suppressed", suppressed)
}
