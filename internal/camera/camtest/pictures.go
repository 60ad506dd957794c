package camtest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// CurrentPic serves JPEG().
func (c *Camera) CurrentPic() http.Handler { return http.HandlerFunc(c.servePic) }

// Snapshot serves JPEG() whatever the query (the fake does not scale).
func (c *Camera) Snapshot() http.Handler { return http.HandlerFunc(c.servePic) }

func (c *Camera) servePic(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(c.jpeg)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(c.jpeg)
}

// MJPEGBoundary is the multipart boundary of the MJPEG handler.
const MJPEGBoundary = "camtestframe"

// MJPEG serves a multipart/x-mixed-replace stream of JPEG() every 50 ms until the client goes
// away, or only ?frames=N pictures when given.
func (c *Camera) MJPEG() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("frames"))
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+MJPEGBoundary)
		w.Header().Set("Cache-Control", "no-store")
		rc := http.NewResponseController(w)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for n := 0; limit <= 0 || n < limit; n++ {
			if n > 0 {
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
				}
			}
			if _, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", MJPEGBoundary, len(c.jpeg)); err != nil {
				return
			}
			if _, err := w.Write(c.jpeg); err != nil {
				return
			}
			if _, err := w.Write([]byte("\r\n")); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}

// SnapshotJPEG returns JPEG(), or the error given to Fail("SnapshotJPEG", …).
func (c *Camera) SnapshotJPEG(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	err := c.fail["SnapshotJPEG"]
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.jpeg, nil
}
