package clip

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/record"
	"github.com/freecam/freecam/internal/stream"
)

// writer turns frames into one MP4. handle, finish and abort belong to Record's goroutine;
// endedAt is shared with the watchdog.
type writer struct {
	hub *stream.Hub
	req Request

	endedAt  atomic.Int64 // unix ns when Ended was seen closed; 0 = not yet
	lastRead atomic.Int64 // unix ns of the last frame read from the hub, for the stall watchdog

	mp4      *record.MP4File
	sps      []byte
	start    time.Time // wall time of the first frame
	prev     *media.Frame
	lastDur  uint32 // duration of the last sample written, for the final one
	lastSeq  uint64 // newest sequence number seen; older ones are the pre-roll/reader overlap
	waitKey  bool   // frames were lost: skip to the next keyframe
	anchored bool   // for frames without a wall time: anchorWall is the time of anchorPTS
	anchorW  time.Time
	anchorP  time.Duration
}

func newWriter(hub *stream.Hub, req Request) *writer {
	return &writer{hub: hub, req: req}
}

// ticks converts a PTS to the 90 kHz time base, rounded to the nearest tick.
func ticks(d time.Duration) int64 { return (d.Nanoseconds()*9 + 50000) / 100000 }

// frameTime is f's wall time; frames without one are placed by their PTS relative to the first
// such frame, taken as now.
func (w *writer) frameTime(f *media.Frame) time.Time {
	if !f.Time.IsZero() {
		return f.Time
	}
	if !w.anchored {
		w.anchored, w.anchorW, w.anchorP = true, time.Now(), f.PTS
	}
	return w.anchorW.Add(f.PTS - w.anchorP)
}

// endAt is the wall time of the first frame that is no longer part of the clip.
func (w *writer) endAt() time.Time {
	end := w.req.Trigger.Add(w.req.Duration)
	if w.req.Ended != nil {
		e := w.endedAt.Load()
		if e == 0 {
			select {
			case <-w.req.Ended:
				now := time.Now().UnixNano()
				if !w.endedAt.CompareAndSwap(0, now) {
					now = w.endedAt.Load()
				}
				e = now
			default:
			}
		}
		if e == 0 {
			end = w.start.Add(w.req.Max) // still moving
		} else if t := time.Unix(0, e).Add(w.req.PostRoll); t.After(end) {
			end = t
		}
	}
	if limit := w.start.Add(w.req.Max); end.After(limit) {
		end = limit
	}
	return end
}

// handle takes the next frame (pre-roll, then live) and reports whether the clip is complete.
// It is the per-frame path: it does not log.
func (w *writer) handle(f *media.Frame) (done bool, err error) {
	if w.lastSeq != 0 && f.Seq <= w.lastSeq {
		return false, nil // already taken from the pre-roll
	}
	lost := w.lastSeq != 0 && f.Seq != w.lastSeq+1
	w.lastSeq = f.Seq
	if f.Codec != media.CodecH264 {
		if w.mp4 == nil {
			return false, ErrUnsupportedCodec
		}
		return true, nil // the stream changed under the clip: keep what there is
	}
	t := w.frameTime(f)
	if w.mp4 == nil {
		if !f.Key {
			return false, nil
		}
		return false, w.open(f, t)
	}
	if !t.Before(w.endAt()) {
		return true, w.writePrev(f)
	}
	if lost && !f.Key {
		w.waitKey = true
	}
	if w.waitKey {
		if !f.Key {
			return false, nil
		}
		w.waitKey = false
	}
	if f.Key {
		if sps, _ := h264.ParamSets(f.NALUs); sps != nil && !bytes.Equal(sps, w.sps) {
			return true, w.writePrev(f) // a new resolution cannot share the sample entry
		}
	}
	if err := w.writePrev(f); err != nil {
		return false, err
	}
	w.prev = f
	return false, nil
}

// open starts the file at keyframe f.
func (w *writer) open(f *media.Frame, t time.Time) error {
	sps, pps := h264.ParamSets(f.NALUs)
	if sps == nil || pps == nil {
		sps, pps = w.hub.H264Params()
	}
	if sps == nil || pps == nil {
		return nil // undecodable without them: wait for the next keyframe
	}
	m, err := record.CreateMP4(w.req.Path, &codecs.H264{SPS: sps, PPS: pps}, TimeScale)
	if err != nil {
		return fmt.Errorf("clip: %w", err)
	}
	w.mp4, w.sps, w.start, w.prev = m, sps, t, f
	return nil
}

// writePrev writes the held-back frame, lasting until next.
func (w *writer) writePrev(next *media.Frame) error {
	p := w.prev
	if p == nil {
		return nil
	}
	w.prev = nil
	dur := w.lastDur
	if d := ticks(next.PTS) - ticks(p.PTS); d > 0 && d <= int64(^uint32(0)) {
		dur = uint32(d)
	}
	return w.write(p, dur)
}

func (w *writer) write(p *media.Frame, dur uint32) error {
	if dur == 0 {
		dur = TimeScale / 25
	}
	w.lastDur = dur
	if err := w.mp4.WriteH264(p.NALUs, dur, p.Key); err != nil {
		return fmt.Errorf("clip: %w", err)
	}
	return nil
}

// finish writes the held-back frame with the last duration and completes the file.
func (w *writer) finish() (Result, error) {
	if w.mp4 == nil {
		return Result{}, fmt.Errorf("clip: %s: %w", w.req.Path, ErrNoFrames)
	}
	if p := w.prev; p != nil {
		w.prev = nil
		if err := w.write(p, w.lastDur); err != nil {
			return Result{}, err
		}
	}
	m := w.mp4
	if err := m.Close(); err != nil {
		if errors.Is(err, record.ErrNoSamples) {
			return Result{}, fmt.Errorf("clip: %s: %w", w.req.Path, ErrNoFrames)
		}
		return Result{}, fmt.Errorf("clip: %w", err)
	}
	w.mp4 = nil // complete: nothing for abort to remove
	if err := os.Chmod(w.req.Path, w.req.FileMode); err != nil {
		return Result{}, fmt.Errorf("clip: %w", err)
	}
	return Result{
		Path:     w.req.Path,
		Start:    w.start,
		Duration: time.Duration(m.Duration()) * time.Second / TimeScale,
		PreRoll:  w.req.Trigger.Sub(w.start),
		Frames:   m.Samples(),
		Bytes:    m.Bytes(),
	}, nil
}

// abort removes the unfinished file, if any.
func (w *writer) abort() {
	if w.mp4 != nil {
		w.mp4.Abort()
		w.mp4 = nil
	}
}
