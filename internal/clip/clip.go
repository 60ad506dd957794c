package clip

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/record"
	"github.com/freecam/freecam/internal/stream"
)

// Defaults of a Request's zero fields (motion.conf's defaults).
const (
	DefaultDuration = 10 * time.Second
	DefaultMax      = 60 * time.Second
	DefaultFileMode = fs.FileMode(0o644)
)

// StallGrace is how long past the clip's planned end (in wall time), and without a frame, Record
// keeps waiting for a stream that stopped delivering before it finishes the clip with what it has.
const StallGrace = 2 * time.Second

// TimeScale is the MP4 time base of clips: 90 kHz, like the recorder's.
const TimeScale = record.TimeScale

var (
	// ErrUnsupportedCodec is returned when the hub carries something other than H.264 (MJPEG).
	ErrUnsupportedCodec = errors.New("clip: only H.264 streams can be clipped")
	// ErrNoFrames is returned when no keyframe arrived before the clip's end.
	ErrNoFrames = errors.New("clip: no keyframe before the clip's end")
)

// Request describes one clip.
type Request struct {
	// Path is the final .mp4. It is written as Path+record.SpoolSuffix and Path+record.TempSuffix
	// in the same directory and renamed when complete, so a half-written clip never looks done.
	// Its directory must exist; a file already at Path is an error (fs.ErrExist).
	Path string
	// Trigger is when the motion started (wall clock). Zero means now.
	Trigger time.Time
	// Duration (video_duration) is how long the clip lasts at least after Trigger.
	// Default DefaultDuration.
	Duration time.Duration
	// PostRoll is how long the clip goes on after Ended is closed. Default 0.
	PostRoll time.Duration
	// Max caps the clip, measured from its first frame. Default DefaultMax.
	Max time.Duration
	// Ended is closed when the motion ends. Nil: Duration alone decides. While it is open the
	// clip goes on, up to Max.
	Ended <-chan struct{}
	// FileMode is the mode of the final file. Default DefaultFileMode (0644).
	FileMode fs.FileMode
	// Finish, when closed, ends the clip at once and keeps what was recorded (the camera is
	// reloading or stopping): unlike ctx ending, which throws the clip away.
	Finish <-chan struct{}
}

// Result describes a finished clip.
type Result struct {
	Path     string
	Start    time.Time     // wall time of the first frame
	Duration time.Duration // sum of the sample durations
	PreRoll  time.Duration // Trigger - Start
	Frames   int
	Bytes    int64 // H.264 payload written (without the MP4 boxes)
}

func (r *Request) normalize() {
	if r.Trigger.IsZero() {
		r.Trigger = time.Now()
	}
	if r.Duration <= 0 {
		r.Duration = DefaultDuration
	}
	if r.PostRoll < 0 {
		r.PostRoll = 0
	}
	if r.Max <= 0 {
		r.Max = DefaultMax
	}
	if r.FileMode == 0 {
		r.FileMode = DefaultFileMode
	}
}

// errStalled cancels the read when the stream stopped delivering past the clip's planned end.
var errStalled = errors.New("clip: stream stalled")

// errFinished ends the read when Request.Finish closes.
var errFinished = errors.New("clip: finished early")

// Record writes one clip from hub and blocks until it is complete, ctx ends or writing fails.
//
// The clip starts with hub.Preroll() (a keyframe up to the hub's Options.Preroll, in whole GOPs,
// before now) and goes on with live frames from a hub Reader, with neither a gap nor a duplicate
// between the two. It ends at the first frame whose wall time reaches both Trigger+Duration and
// (when Ended is set) the moment Ended was seen closed plus PostRoll, or its first frame plus
// Max, whichever is earlier. Sample durations come from the frames' PTS. Frames the reader lost
// (it fell behind) become a longer previous frame, and the clip resumes at the next keyframe, so
// the file stays decodable. A keyframe with new parameter sets (a new resolution) ends the clip.
//
// When ctx ends or a write fails (a full disk: errors.Is(err, syscall.ENOSPC)) the temporary
// files are removed and the error returned. Record is safe to call concurrently for different
// paths; it starts one goroutine (a watchdog for a stalled stream) and waits for it.
func Record(ctx context.Context, hub *stream.Hub, req Request) (Result, error) {
	return cut(ctx, hub, req, nil)
}

// cut is Record; onLive, when set, is called once the pre-roll has been taken (for a
// benchmark that feeds the hub faster than real time).
func cut(ctx context.Context, hub *stream.Hub, req Request, onLive func()) (Result, error) {
	req.normalize()
	if req.Path == "" {
		return Result{}, errors.New("clip: no path")
	}
	if _, err := os.Lstat(req.Path); err == nil {
		return Result{}, fmt.Errorf("clip: %s: %w", req.Path, fs.ErrExist)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}

	// The reader is registered before the pre-roll is taken: every frame published after the
	// registration is in the reader's queue, and every frame up to the Preroll call is in the
	// pre-roll, so the two overlap and w drops the overlap by sequence number.
	rd := hub.NewReader("clip " + filepath.Base(req.Path))
	defer rd.Close()
	pre := hub.Preroll()
	if onLive != nil {
		onLive()
	}

	w := newWriter(hub, req)
	w.lastRead.Store(time.Now().UnixNano())
	defer w.abort() // a no-op once the clip is finished

	readCtx, cancelRead := context.WithCancelCause(ctx)
	defer cancelRead(nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.watch(stop, func() { cancelRead(errStalled) })
	}()
	if req.Finish != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-req.Finish:
				cancelRead(errFinished)
			case <-stop:
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)

	done := false
	for _, f := range pre {
		var err error
		if done, err = w.handle(f); err != nil || done {
			if err != nil {
				return Result{}, err
			}
			break
		}
	}
	for !done {
		f, err := rd.Read(readCtx)
		w.lastRead.Store(time.Now().UnixNano())
		if err != nil {
			if ctx.Err() != nil {
				return Result{}, fmt.Errorf("clip: %s: %w", req.Path, ctx.Err())
			}
			if cause := context.Cause(readCtx); errors.Is(cause, errStalled) || errors.Is(cause, errFinished) {
				break
			}
			return Result{}, fmt.Errorf("clip: %s: read stream: %w", req.Path, err)
		}
		if done, err = w.handle(f); err != nil {
			return Result{}, err
		}
	}
	return w.finish()
}

// watch cancels the read (calls stall) when the wall clock is past the clip's planned end plus
// StallGrace and no frame came for StallGrace: the stream stopped delivering. It notes when Ended
// closes.
func (w *writer) watch(stop <-chan struct{}, stall func()) {
	ended := w.req.Ended
	t := time.NewTimer(time.Until(w.wallEnd()) + StallGrace)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ended:
			ended = nil
			w.endedAt.CompareAndSwap(0, time.Now().UnixNano())
			t.Reset(time.Until(w.wallEnd()) + StallGrace)
		case <-t.C:
			// Frames still coming (they carry older wall times than the clock, or the reader
			// lags): not a stall.
			if quiet := time.Since(time.Unix(0, w.lastRead.Load())); quiet < StallGrace {
				t.Reset(StallGrace - quiet)
				continue
			}
			stall()
			return
		}
	}
}

// wallEnd is the latest wall time the clip can need frames for, with Trigger standing in for the
// first frame (which is never later than the trigger when the hub has a pre-roll).
func (w *writer) wallEnd() time.Time {
	end := w.req.Trigger.Add(w.req.Duration)
	limit := w.req.Trigger.Add(w.req.Max)
	if w.req.Ended != nil {
		e := w.endedAt.Load()
		if e == 0 {
			return limit
		}
		if t := time.Unix(0, e).Add(w.req.PostRoll); t.After(end) {
			end = t
		}
	}
	if end.After(limit) {
		end = limit
	}
	return end
}
