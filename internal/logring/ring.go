// Package logring keeps the last log lines of freecam in memory for the web UI's Logs page and the
// firmware's action.cgi?cmd=showlog. It is an slog.Handler that formats each record once into a
// bounded ring and passes the record on unchanged to the next handler (stderr).
//
// It must not keep anything that a record's LogValuer hides: values are resolved before they are
// formatted, so conf.Secret stays REDACTED. It never writes to disk.
package logring

import (
	"log/slog"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/camera"
)

// DefaultSize is the number of lines a Ring keeps when New is given a size of 0 or less.
const DefaultSize = 1000

// MaxLine is the longest message (with its attributes) a Ring keeps, in bytes; longer lines are
// cut at a character boundary and end in "…".
const MaxLine = 2048

// Ring is a bounded, goroutine-safe store of the last formatted log lines. It is also the root
// slog.Handler that fills it: slog.New(ring). Handlers derived with WithAttrs or WithGroup share
// the same ring.
type Ring struct {
	handler // the root handler: no attributes, no group

	mu    sync.Mutex
	lines []camera.LogLine // fixed length size; a circular buffer
	start int              // index of the oldest line
	n     int              // lines held

	bufs sync.Pool // *[]byte formatting buffers, shared by the handlers of this ring
}

// New returns a ring keeping the last size lines (DefaultSize when size <= 0) in front of next,
// which receives every record. next must not be nil.
func New(next slog.Handler, size int) *Ring {
	if size <= 0 {
		size = DefaultSize
	}
	r := &Ring{lines: make([]camera.LogLine, size)}
	r.handler = handler{ring: r, next: next}
	return r
}

// Handler returns the ring as an slog.Handler (the ring itself).
func (r *Ring) Handler() slog.Handler { return r }

// Lines returns the last n lines, oldest first (all of them when n <= 0 or n is larger than what
// is held). The slice is the caller's.
func (r *Ring) Lines(n int) []camera.LogLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n <= 0 || n > r.n {
		n = r.n
	}
	out := make([]camera.LogLine, n)
	first := r.start + r.n - n
	for i := range out {
		out[i] = r.lines[(first+i)%len(r.lines)]
	}
	return out
}

// add stores one line, replacing the oldest when the ring is full.
func (r *Ring) add(t time.Time, level, msg string) {
	r.mu.Lock()
	i := (r.start + r.n) % len(r.lines)
	r.lines[i] = camera.LogLine{Time: t, Level: level, Message: msg}
	if r.n < len(r.lines) {
		r.n++
	} else {
		r.start = (r.start + 1) % len(r.lines)
	}
	r.mu.Unlock()
}

// getBuf returns an empty formatting buffer from the pool.
func (r *Ring) getBuf() *[]byte {
	if bp, ok := r.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 512)
	return &b
}
