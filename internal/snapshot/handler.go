package snapshot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// CurrentPic serves GET/HEAD /cgi-bin/currentpic.cgi, the Dafang firmware's snapshot URL that
// Home Assistant and NVR setups already use: the latest frame at full size and the default
// quality. Its query string is ignored (the firmware's live page adds a timestamp to it).
func (c *Cache) CurrentPic() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.serveImage(w, r, Request{})
	})
}

// Snapshot serves GET/HEAD /snapshot.jpg?width=&height=&quality=: the latest frame, shrunk to
// width×height (see FitSize; never enlarged), at quality 1..100 (default Options.Quality). A bad
// parameter gets 400 naming it and its allowed range.
func (c *Cache) Snapshot() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := parseParams(r.URL.Query(), false)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.serveImage(w, r, p.req)
	})
}

func (c *Cache) serveImage(w http.ResponseWriter, r *http.Request, req Request) {
	if !allowGetHead(w, r) {
		return
	}
	img, err := c.Get(r.Context(), req)
	if err != nil {
		c.serveError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(img.JPEG)))
	h.Set("Cache-Control", "no-store")
	setFrameHeaders(h, img)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	_, _ = w.Write(img.JPEG) // a client that went away is not an error worth reporting
}

// setFrameHeaders describes the frame an image came from.
func setFrameHeaders(h http.Header, img *Image) {
	if !img.Time.IsZero() {
		h.Set("Last-Modified", img.Time.UTC().Format(http.TimeFormat))
		h.Set("X-Frame-Time", img.Time.UTC().Format(time.RFC3339Nano))
	}
	h.Set("X-Frame-Id", strconv.FormatUint(img.FrameID, 10))
}

func allowGetHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed: use GET or HEAD", http.StatusMethodNotAllowed)
	return false
}

// serveError answers an error from Get.
func (c *Cache) serveError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNoFrame):
		if c.opts.NoFrameReason != nil {
			if reason := c.opts.NoFrameReason(); reason != "" {
				http.Error(w, reason, http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((c.opts.RetryAfter+time.Second-1)/time.Second)))
		http.Error(w, "no picture yet: the camera has not delivered a frame; retry shortly", http.StatusServiceUnavailable)
	case errors.Is(err, ErrClosed):
		http.Error(w, "snapshot service is stopping", http.StatusServiceUnavailable)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The client went away; nobody reads the answer.
	default:
		http.Error(w, "cannot encode the picture", http.StatusInternalServerError)
	}
}
