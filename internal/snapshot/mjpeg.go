package snapshot

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// mjpegBoundary separates the parts of the multipart/x-mixed-replace stream.
const mjpegBoundary = "freecamframe"

// MJPEG serves GET/HEAD /mjpeg?fps=&width=&height=&quality=: a multipart/x-mixed-replace stream
// with one JPEG per new frame (browsers, Home Assistant's MJPEG camera, NVRs). fps (0.1..60) caps
// the rate; width, height and quality are as for Snapshot, and encodes are shared with it. A slow
// client gets the newest frame each time it is ready and skips the rest; nothing queues up. The
// stream ends when the client goes away, a write takes longer than Options.WriteTimeout, or the
// Cache is closed. Before the first frame it answers 503 with Retry-After, like Snapshot.
func (c *Cache) MJPEG() http.Handler {
	return http.HandlerFunc(c.serveMJPEG)
}

func (c *Cache) serveMJPEG(w http.ResponseWriter, r *http.Request) {
	if !allowGetHead(w, r) {
		return
	}
	p, err := parseParams(r.URL.Query(), true)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if c.mb.Latest() == nil && !c.waitFirstFrame(r.Context()) {
		c.serveError(w, ErrNoFrame)
		return
	}
	if !c.startStream() {
		c.serveError(w, ErrClosed)
		return
	}
	defer c.endStream()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel) // Close ends the stream
	defer stop()

	h := w.Header()
	h.Set("Content-Type", "multipart/x-mixed-replace; boundary="+mjpegBoundary)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)

	// A write blocked on a client that stopped reading must not hold Close up for WriteTimeout:
	// when ctx ends (client gone, Close), the deadline moves to now. ended guards rc, which must
	// not be touched after the handler returns.
	var dmu sync.Mutex
	ended := false
	abort := context.AfterFunc(ctx, func() {
		dmu.Lock()
		defer dmu.Unlock()
		if !ended {
			ended = true
			_ = rc.SetWriteDeadline(time.Now())
		}
	})
	defer func() {
		abort()
		dmu.Lock()
		ended = true
		dmu.Unlock()
	}()
	armDeadline := func() bool {
		dmu.Lock()
		defer dmu.Unlock()
		if ended {
			return false
		}
		_ = rc.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
		return true
	}

	var interval time.Duration
	if p.fps > 0 {
		interval = time.Duration(float64(time.Second) / p.fps)
	}
	var timer *time.Timer
	var next time.Time // earliest time of the next part under the fps cap
	var last uint64
	part := make([]byte, 0, 256)
	for {
		f, err := c.mb.Next(ctx, last)
		if err != nil {
			return
		}
		if interval > 0 {
			if wait := time.Until(next); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
					defer timer.Stop()
				} else {
					timer.Reset(wait)
				}
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
				f = c.mb.Latest() // the newest one after the pause
			}
			next = time.Now().Add(interval)
		}
		img, err := c.get(ctx, f, p.req)
		if err != nil {
			return
		}
		last = img.FrameID

		part = append(part[:0], "--"+mjpegBoundary+"\r\nContent-Type: image/jpeg\r\nContent-Length: "...)
		part = strconv.AppendInt(part, int64(len(img.JPEG)), 10)
		part = append(part, "\r\nX-Frame-Id: "...)
		part = strconv.AppendUint(part, img.FrameID, 10)
		if !img.Time.IsZero() {
			part = append(part, "\r\nX-Frame-Time: "...)
			part = img.Time.UTC().AppendFormat(part, time.RFC3339Nano)
		}
		part = append(part, "\r\n\r\n"...)
		if !armDeadline() {
			return
		}
		if _, err := w.Write(part); err != nil {
			return
		}
		if _, err := w.Write(img.JPEG); err != nil {
			return
		}
		if _, err := io.WriteString(w, "\r\n"); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
