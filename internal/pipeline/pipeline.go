// Package pipeline is the path of a picture from a source to the stream hub: it numbers raw
// frames, draws the OSD on them, offers them to the snapshot mailbox, and hands them through a
// one-slot mailbox to the encoder goroutine, which publishes access units to the hub. Sources that
// deliver H.264 skip straight to the hub.
//
// The source's goroutine never waits for the encoder: when the encoder is slower than the source,
// the older picture in the mailbox is replaced and counted as dropped.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
)

// Encoder compresses raw pictures; encode.H264Encoder and the MJPEG encoder satisfy it.
type Encoder interface {
	Encode(raw *media.RawFrame, emit func(*media.Frame)) error
	RequestKeyframe()
	Close() error
}

// Options wires a Pipeline. Publish is required.
type Options struct {
	// NewEncoder makes an encoder for pictures of the given size. It is called from the encoder
	// goroutine on the first raw frame and again when the size changes. Nil means this build or
	// configuration cannot encode: raw frames still feed snapshots but never reach the hub.
	NewEncoder func(width, height int) (Encoder, error)
	// Overlay draws on each raw frame before anyone else sees it (the OSD). Optional.
	Overlay interface{ Draw(*media.RawFrame) }
	// Snapshots receives every raw frame after the overlay (the snapshot mailbox). Optional.
	Snapshots interface{ Put(*media.RawFrame) }
	// Publish receives every access unit (stream.Hub.Publish). It must not block.
	Publish func(*media.Frame)
	// EncodeTime, when set, is told how long each successful encode took (the /metrics
	// histogram). It must be cheap and must not block: it runs on the encoder goroutine.
	EncodeTime interface{ ObserveDuration(time.Duration) }
	Logger     *slog.Logger
}

// Pipeline implements source.Sink. WriteRaw and WriteEncoded are called by one source goroutine at
// a time; Run is the encoder goroutine; everything else is safe from any goroutine.
type Pipeline struct {
	opts Options
	log  *slog.Logger

	nextID    atomic.Uint64
	lastFrame atomic.Int64 // unix nanoseconds of the last frame from the source

	pending  atomic.Pointer[media.RawFrame] // the one-slot mailbox to the encoder
	wake     chan struct{}
	wantKey  atomic.Bool
	clockMu  sync.Mutex
	clock    ptsClock
	warnOnce sync.Once

	rawFrames     atomic.Uint64
	encodedFrames atomic.Uint64
	mailboxDrops  atomic.Uint64
	encodeErrors  atomic.Uint64
	encodeNanos   atomic.Int64 // duration of the last encode
}

var _ source.Sink = (*Pipeline)(nil)

// New returns a Pipeline. It starts nothing; call Run for the encoder.
func New(opts Options) *Pipeline {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{opts: opts, log: log, wake: make(chan struct{}, 1)}
}

// SourceStarting tells the pipeline a source (re)starts, so timestamps stay monotonic across
// source restarts: the new run's first frame continues one frame after the last one published.
func (p *Pipeline) SourceStarting() {
	p.clockMu.Lock()
	p.clock.restart()
	p.clockMu.Unlock()
}

func (p *Pipeline) stamp(pts time.Duration) time.Duration {
	p.clockMu.Lock()
	defer p.clockMu.Unlock()
	return p.clock.map_(pts)
}

// WriteRaw implements source.Sink.
func (p *Pipeline) WriteRaw(f *media.RawFrame) {
	p.lastFrame.Store(time.Now().UnixNano())
	p.rawFrames.Add(1)
	f.ID = p.nextID.Add(1)
	f.PTS = p.stamp(f.PTS)
	if p.opts.Overlay != nil {
		p.opts.Overlay.Draw(f)
	}
	if p.opts.Snapshots != nil {
		p.opts.Snapshots.Put(f)
	}
	if p.opts.NewEncoder == nil {
		p.warnOnce.Do(func() {
			p.log.Error("the source delivers raw pictures but there is no H.264 encoder in this build; snapshots work, RTSP has no video; use a source that delivers H.264")
		})
		return
	}
	if old := p.pending.Swap(f); old != nil {
		p.mailboxDrops.Add(1)
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// WriteEncoded implements source.Sink.
func (p *Pipeline) WriteEncoded(f *media.Frame) {
	p.lastFrame.Store(time.Now().UnixNano())
	f.PTS = p.stamp(f.PTS)
	p.encodedFrames.Add(1)
	p.opts.Publish(f)
}

// RequestKeyframe asks for an IDR on the next encoded picture. It never blocks, so the hub may call
// it with its lock held. For a source that delivers H.264 it does nothing (that encoder is not ours).
func (p *Pipeline) RequestKeyframe() { p.wantKey.Store(true) }

// LastFrame is when the source last delivered a frame (zero before the first): the watchdog's input.
func (p *Pipeline) LastFrame() time.Time {
	n := p.lastFrame.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Run encodes pictures from the mailbox until ctx ends, then closes the encoder. It returns nil on
// cancellation; encoder failures are logged once per kind and counted, never fatal, so a broken
// picture cannot stop the camera.
func (p *Pipeline) Run(ctx context.Context) error {
	var enc Encoder
	var encW, encH int
	defer func() {
		if enc != nil {
			_ = enc.Close()
		}
	}()
	var lastErr string
	emit := func(out *media.Frame) {
		p.encodedFrames.Add(1)
		p.opts.Publish(out)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		}
		f := p.pending.Swap(nil)
		if f == nil {
			continue
		}
		if enc == nil || f.Width != encW || f.Height != encH {
			if enc != nil {
				_ = enc.Close()
				enc = nil
			}
			e, err := p.opts.NewEncoder(f.Width, f.Height)
			if err != nil {
				p.encodeErrors.Add(1)
				if msg := err.Error(); msg != lastErr {
					p.log.Error("cannot create encoder", "width", f.Width, "height", f.Height, "err", err)
					lastErr = msg
				}
				continue
			}
			enc, encW, encH = e, f.Width, f.Height
			p.log.Info("encoder ready", "width", encW, "height", encH)
		}
		if p.wantKey.Swap(false) {
			enc.RequestKeyframe()
		}
		start := time.Now()
		if err := enc.Encode(f, emit); err != nil {
			p.encodeErrors.Add(1)
			if msg := err.Error(); msg != lastErr {
				p.log.Error("encode failed", "frame", f.ID, "err", err)
				lastErr = msg
			}
			continue
		}
		took := time.Since(start)
		p.encodeNanos.Store(int64(took))
		if p.opts.EncodeTime != nil {
			p.opts.EncodeTime.ObserveDuration(took)
		}
	}
}

// Stats are the pipeline's counters.
type Stats struct {
	RawFrames     uint64        // pictures from the source
	EncodedFrames uint64        // access units published to the hub
	MailboxDrops  uint64        // pictures replaced before the encoder took them
	EncodeErrors  uint64        // failed encoder creations and encodes
	LastEncode    time.Duration // how long the last encode took
}

// Stats returns the counters.
func (p *Pipeline) Stats() Stats {
	return Stats{
		RawFrames:     p.rawFrames.Load(),
		EncodedFrames: p.encodedFrames.Load(),
		MailboxDrops:  p.mailboxDrops.Load(),
		EncodeErrors:  p.encodeErrors.Load(),
		LastEncode:    time.Duration(p.encodeNanos.Load()),
	}
}

func (s Stats) String() string {
	return fmt.Sprintf("raw=%d encoded=%d mailbox_drops=%d encode_errors=%d last_encode=%v",
		s.RawFrames, s.EncodedFrames, s.MailboxDrops, s.EncodeErrors, s.LastEncode)
}
