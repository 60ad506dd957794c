// Package stream fans encoded frames out from one producer to many readers without ever blocking
// the producer.
//
// Each Reader has its own bounded queue. A reader that falls behind loses frames and then skips
// ahead to the next keyframe, because an H.264 decoder that missed a frame shows garbage until the
// next IDR. The Hub keeps the current GOP, so a new reader starts at once on a keyframe instead of
// waiting up to a whole GOP, and a pre-roll window of whole GOPs, so a motion clip can start
// before its trigger.
//
// The package knows nothing about RTSP or files: readers are plain queues of *media.Frame.
package stream

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// Options configures a Hub. The zero value is usable.
type Options struct {
	// QueueLen is how many frames a reader may have waiting before it starts to drop.
	// It defaults to 128 (over 4 s at 30 fps), which also bounds the GOP a new reader is given.
	QueueLen int
	// Preroll is how much video before "now" the hub keeps for Preroll(), in whole GOPs.
	// It defaults to 0: only the current GOP is kept.
	Preroll time.Duration
	// MaxWindowBytes caps the memory of the kept GOPs; past it the oldest GOPs go first, even if
	// that shortens the pre-roll. The current GOP is always kept. It defaults to 16 MiB.
	MaxWindowBytes int
	// KeyframeWait is how long (in stream time) a reader may wait for a keyframe before the hub
	// calls RequestKeyframe. It defaults to 500 ms.
	KeyframeWait time.Duration
	// RequestKeyframe asks the encoder for an IDR. It is called with the hub's lock held and must
	// not block (encoders set an atomic flag). Nil means nobody can be asked.
	RequestKeyframe func()
}

// Hub is a non-blocking one-to-many distributor of encoded frames. It is safe for concurrent use.
type Hub struct {
	opts Options

	mu      sync.Mutex
	readers map[*Reader]struct{}
	window  []*media.Frame // whole GOPs, oldest first; window[0] is a keyframe when non-empty
	bytes   int            // payload bytes in window
	seq     uint64
	sps     []byte // latest H.264 parameter sets seen, injected before IDRs that lack them
	pps     []byte
	lastReq time.Duration // stream time of the last keyframe request
	reqd    bool          // a keyframe request is outstanding

	published atomic.Uint64
	keyReqs   atomic.Uint64
}

// New returns an empty Hub. It starts no goroutine.
func New(opts Options) *Hub {
	if opts.QueueLen <= 0 {
		opts.QueueLen = 128
	}
	if opts.MaxWindowBytes <= 0 {
		opts.MaxWindowBytes = 16 << 20
	}
	if opts.KeyframeWait <= 0 {
		opts.KeyframeWait = 500 * time.Millisecond
	}
	return &Hub{opts: opts, readers: make(map[*Reader]struct{})}
}

// Publish hands f to every reader and to the GOP window. It never blocks: a reader whose queue is
// full loses f. f must not be modified afterwards; Publish sets its Seq, and for an H.264 keyframe
// that lacks SPS/PPS it puts the last ones seen in front, so every IDR a reader gets can be decoded
// on its own.
func (h *Hub) Publish(f *media.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()

	if f.Codec == media.CodecH264 {
		h.trackParams(f)
	}
	h.seq++
	f.Seq = h.seq
	h.published.Add(1)
	h.addToWindow(f)

	wantKey := false
	for r := range h.readers {
		if r.push(f, h.opts.KeyframeWait) {
			wantKey = true
		}
	}
	if f.Key {
		h.reqd = false
	}
	if wantKey && h.opts.RequestKeyframe != nil && (!h.reqd || f.PTS-h.lastReq >= h.opts.KeyframeWait) {
		h.reqd = true
		h.lastReq = f.PTS
		h.keyReqs.Add(1)
		h.opts.RequestKeyframe()
	}
}

// NewReader registers a reader. Its queue starts with the current GOP (from its keyframe), so the
// first Read returns a keyframe at once when the hub has one. name labels its counters.
// The caller must Close it.
func (h *Hub) NewReader(name string) *Reader {
	r := &Reader{
		name:   name,
		hub:    h,
		queue:  make([]*media.Frame, h.opts.QueueLen),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	gop := h.currentGOP()
	if len(gop) > 0 && len(gop) <= len(r.queue) {
		for _, f := range gop {
			r.queue[r.tail%len(r.queue)] = f
			r.tail++
		}
		r.signal()
	} else {
		r.waitKey = true
		r.waitSince = -1
	}
	h.readers[r] = struct{}{}
	return r
}

func (h *Hub) removeReader(r *Reader) {
	h.mu.Lock()
	delete(h.readers, r)
	h.mu.Unlock()
}

// Preroll returns the kept frames, oldest first, starting on a keyframe: at least Options.Preroll
// of video when the hub has been running that long and the memory cap allows. The slice is a copy;
// the frames are shared and read-only.
func (h *Hub) Preroll() []*media.Frame {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*media.Frame(nil), h.window...)
}

// H264Params returns the latest SPS and PPS seen, or nil before the first keyframe. The slices are
// read-only.
func (h *Hub) H264Params() (sps, pps []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sps, h.pps
}

// Stats is a snapshot of the hub's counters.
type Stats struct {
	Published        uint64 // frames published since New
	KeyframeRequests uint64 // times the hub asked the encoder for an IDR
	WindowFrames     int    // frames kept for new readers and pre-roll
	WindowBytes      int
	Readers          []ReaderStats
}

// Stats returns the hub's counters and those of every current reader.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Stats{
		Published:        h.published.Load(),
		KeyframeRequests: h.keyReqs.Load(),
		WindowFrames:     len(h.window),
		WindowBytes:      h.bytes,
	}
	for r := range h.readers {
		s.Readers = append(s.Readers, r.Stats())
	}
	return s
}
