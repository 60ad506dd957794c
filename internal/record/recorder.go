package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/storage"
	"github.com/freecam/freecam/internal/stream"
)

// TimeScale is the MP4 time base of recordings: 90 kHz, like RTP video.
const TimeScale = 90000

// FilePattern matches the finished recordings (for storage.RetentionOptions.Patterns).
const FilePattern = "REC_*.mp4"

// DefaultSegmentLength is the length of a segment when Options.SegmentLength is 0.
const DefaultSegmentLength = 5 * time.Minute

// Sweeper frees disk space on demand; *storage.Retention is one.
type Sweeper interface {
	Sweep(ctx context.Context) (storage.SweepResult, error)
}

// Options configures a Recorder. Dir is required.
type Options struct {
	// Dir is the recordings root (rtspserver.conf's DCIM_PATH, or data/Recording).
	Dir string
	// SegmentLength is the target length of a segment: it is cut at the first keyframe at or
	// after this much video. Default DefaultSegmentLength.
	SegmentLength time.Duration
	// Retention, when set, is swept when a write fails because the disk is full, before one retry.
	Retention Sweeper
	// Location is the time zone of the directory and file names. Nil means time.Local.
	Location *time.Location
	// OnSegment, when set, is called from Run's goroutine after each finished segment.
	OnSegment func(Segment)
	// Logger receives one line per failed or lost segment. Nil means slog.Default().
	Logger *slog.Logger
}

// Segment describes one finished recording.
type Segment struct {
	Path     string
	Start    time.Time // wall-clock time of its first frame
	Duration time.Duration
	Frames   int
	Bytes    int64
}

// Stats are the recorder's counters.
type Stats struct {
	Segments    uint64 // finished segments
	Frames      uint64 // frames written
	Skipped     uint64 // frames not recorded while waiting for a keyframe
	Gaps        uint64 // segments ended early because frames were lost
	WriteErrors uint64 // failed writes (a full disk, …)
	Lost        uint64 // segments given up after a write error
	Current     string // path of the segment being written, if any
}

// Recorder writes the hub's stream into MP4 segments. Run it in one goroutine; Stats is safe
// from any.
type Recorder struct {
	hub  *stream.Hub
	opts Options
	log  *slog.Logger

	// Owned by Run's goroutine.
	ctx      context.Context
	seg      *MP4File
	segStart time.Time
	segPTS   time.Duration
	segSPS   []byte
	prev     *media.Frame // written when the next frame gives its duration
	lastDur  uint32

	mu    sync.Mutex
	stats Stats
}

// New returns a Recorder for hub. It starts nothing.
func New(hub *stream.Hub, opts Options) *Recorder {
	if opts.SegmentLength <= 0 {
		opts.SegmentLength = DefaultSegmentLength
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Recorder{hub: hub, opts: opts, log: opts.Logger}
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

func (r *Recorder) count(f func(*Stats)) {
	r.mu.Lock()
	f(&r.stats)
	r.mu.Unlock()
}

// Run records until ctx ends, then finishes the current segment and returns ctx.Err(). It fails
// only when Dir cannot be created. Write errors lose at most the segment being written and are
// counted; recording resumes at the next keyframe.
func (r *Recorder) Run(ctx context.Context) error {
	if r.opts.Dir == "" {
		return errors.New("record: no recording directory")
	}
	if err := os.MkdirAll(r.opts.Dir, 0o755); err != nil {
		return fmt.Errorf("record: create %s: %w", r.opts.Dir, err)
	}
	r.removeStale()
	rd := r.hub.NewReader("recording")
	defer rd.Close()
	r.ctx = ctx
	defer func() {
		// Finish the segment with a context that outlives ctx, for a retention sweep.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		r.ctx = fctx
		r.endSegment()
		r.ctx = nil
	}()
	for {
		f, err := rd.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("record: read stream: %w", err)
		}
		r.handle(f)
	}
}

// ticks converts a PTS to the 90 kHz time base, rounded to the nearest tick.
func ticks(d time.Duration) int64 { return (d.Nanoseconds()*9 + 50000) / 100000 }

// handle takes one frame; it is the per-frame path and does not log.
func (r *Recorder) handle(f *media.Frame) {
	if p := r.prev; p != nil {
		if f.Seq != p.Seq+1 || f.PTS <= p.PTS || f.Codec != p.Codec {
			// Frames were lost or the stream restarted: end the segment before the hole.
			r.count(func(s *Stats) { s.Gaps++ })
			r.endSegment()
		} else {
			dur := uint32(ticks(f.PTS) - ticks(p.PTS))
			r.writePrev(dur)
			if r.seg != nil && f.Key && (f.PTS-r.segPTS >= r.opts.SegmentLength || r.paramsChanged(f)) {
				r.closeSegment()
			}
		}
	}
	if r.seg == nil {
		if !f.Key || !r.openSegment(f) {
			r.count(func(s *Stats) { s.Skipped++ })
			return
		}
	}
	r.prev = f
}

// writePrev writes the held-back frame with its now known duration.
func (r *Recorder) writePrev(dur uint32) {
	p := r.prev
	r.prev = nil
	if r.seg == nil || p == nil {
		return
	}
	r.lastDur = dur
	var err error
	if p.Codec == media.CodecH264 {
		err = r.seg.WriteH264(p.NALUs, dur, p.Key)
	} else {
		err = r.seg.WriteSample(p.NALUs[0], dur, true)
	}
	if err == nil {
		r.count(func(s *Stats) { s.Frames++ })
		return
	}
	r.count(func(s *Stats) { s.WriteErrors++ })
	if r.freeSpace(err) {
		if err = r.seg.Flush(); err == nil {
			r.count(func(s *Stats) { s.Frames++ })
			return
		}
	}
	// Still failing: keep what reached the disk and start again at the next keyframe.
	r.log.Warn("recording write failed; ending the segment early", "path", r.seg.Path(), "err", err)
	r.seg.DropUnflushed()
	r.closeSegment()
}

// freeSpace runs the retention after a full-disk error and reports whether a retry makes sense.
func (r *Recorder) freeSpace(err error) bool {
	if !errors.Is(err, syscall.ENOSPC) || r.opts.Retention == nil {
		return false
	}
	res, serr := r.opts.Retention.Sweep(r.ctx)
	if serr != nil {
		r.log.Warn("retention after a full disk failed", "err", serr)
	}
	return res.Deleted > 0
}

// endSegment writes the held-back frame with the last known duration and finishes the segment.
func (r *Recorder) endSegment() {
	dur := r.lastDur
	if dur == 0 {
		dur = TimeScale / 25
	}
	r.writePrev(dur)
	r.closeSegment()
}

func (r *Recorder) closeSegment() {
	seg := r.seg
	if seg == nil {
		return
	}
	r.seg = nil
	r.segSPS = nil
	r.count(func(s *Stats) { s.Current = "" })
	err := seg.Close()
	if err != nil && !errors.Is(err, ErrNoSamples) {
		r.count(func(s *Stats) { s.WriteErrors++ })
		if r.freeSpace(err) {
			err = seg.Close()
		}
	}
	switch {
	case errors.Is(err, ErrNoSamples):
		return
	case err != nil:
		seg.Abort()
		r.count(func(s *Stats) { s.Lost++ })
		r.log.Warn("recording segment lost", "path", seg.Path(), "err", err)
		return
	}
	info := Segment{
		Path:     seg.Path(),
		Start:    r.segStart,
		Duration: time.Duration(seg.Duration()) * time.Second / TimeScale,
		Frames:   seg.Samples(),
		Bytes:    seg.Bytes(),
	}
	r.count(func(s *Stats) { s.Segments++ })
	if r.opts.OnSegment != nil {
		r.opts.OnSegment(info)
	}
}

// paramsChanged reports an IDR whose SPS differs from the segment's (a new resolution).
func (r *Recorder) paramsChanged(f *media.Frame) bool {
	if f.Codec != media.CodecH264 {
		return false
	}
	sps, _ := h264.ParamSets(f.NALUs)
	return sps != nil && !bytes.Equal(sps, r.segSPS)
}

// openSegment starts a segment at keyframe f and reports whether it did.
func (r *Recorder) openSegment(f *media.Frame) bool {
	var codec codecs.Codec
	switch f.Codec {
	case media.CodecH264:
		sps, pps := h264.ParamSets(f.NALUs)
		if sps == nil || pps == nil {
			sps, pps = r.hub.H264Params()
		}
		if sps == nil || pps == nil {
			return false
		}
		codec = &codecs.H264{SPS: sps, PPS: pps}
		r.segSPS = sps
	case media.CodecMJPEG:
		if len(f.NALUs) == 0 {
			return false
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.NALUs[0]))
		if err != nil {
			return false
		}
		codec = &codecs.MJPEG{Width: cfg.Width, Height: cfg.Height}
	default:
		return false
	}
	start := f.Time
	if start.IsZero() {
		start = time.Now()
	}
	seg, err := r.create(start, codec)
	if err != nil && r.freeSpace(err) {
		seg, err = r.create(start, codec)
	}
	if err != nil {
		r.count(func(s *Stats) { s.WriteErrors++ })
		r.log.Warn("cannot start a recording segment", "err", err)
		return false
	}
	r.seg = seg
	r.segStart = start
	r.segPTS = f.PTS
	r.count(func(s *Stats) { s.Current = seg.Path() })
	return true
}

// SegmentPath is where a segment starting at t goes: dir/YYYY-MM-DD/HH/REC_HH-MM-SS.mp4.
func SegmentPath(dir string, t time.Time) string {
	return filepath.Join(dir, t.Format("2006-01-02"), t.Format("15"), "REC_"+t.Format("15-04-05")+".mp4")
}

func (r *Recorder) create(start time.Time, codec codecs.Codec) (*MP4File, error) {
	path := SegmentPath(r.opts.Dir, start.In(r.opts.Location))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("record: create %s: %w", filepath.Dir(path), err)
	}
	base := strings.TrimSuffix(path, ".mp4")
	for i := 1; exists(path) || exists(path+SpoolSuffix); i++ {
		path = fmt.Sprintf("%s_%d.mp4", base, i) // two segments in one second (after a gap)
	}
	return CreateMP4(path, codec, TimeScale)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// removeStale deletes the spool and temporary files a crash left behind under Dir; nothing else.
func (r *Recorder) removeStale() {
	_ = filepath.WalkDir(r.opts.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && path != r.opts.Dir {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.Type().IsRegular() && strings.HasPrefix(name, "REC_") &&
			(strings.HasSuffix(name, ".mp4"+SpoolSuffix) || strings.HasSuffix(name, ".mp4"+TempSuffix)) {
			if os.Remove(path) == nil {
				r.log.Info("removed an unfinished recording left by a crash", "path", path)
			}
		}
		return nil
	})
}
