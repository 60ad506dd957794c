package web

import (
	"net/http"
	"time"

	"github.com/freecam/freecam/internal/metrics"
	"github.com/freecam/freecam/internal/web/auth"
)

// Observable is a Camera that also reports its series for /metrics and its health for
// /healthz; the running camera (internal/app) is one. With a Camera that is not, /metrics has
// the web server's own series only and there is no /healthz.
type Observable interface {
	// MetricsCollector is called once, by New; the function it returns writes the camera's
	// series at every scrape. Scrapes are serialised, so it may keep state between them.
	MetricsCollector() func(*metrics.Writer)
	// Health is nil when the camera runs and pictures arrive, else an error saying why not.
	Health() error
}

// snapshotPaths are the single-picture URLs whose latency /metrics reports (not /mjpeg, a stream).
var snapshotPaths = map[string]bool{
	"/snapshot.jpg": true, "/cgi-bin/currentpic.cgi": true,
	"/cgi-bin/currentpicoptim.cgi": true, "/cgi-bin/downloadpic.cgi": true,
}

// registerMetrics registers /metrics and /healthz and returns h timing the picture requests for
// the snapshot latency histogram.
//
// Both routes go through guard with the viewer role, like every route: Prometheus scrapes with
// basic_auth (a viewer account made for it) and tls_config insecure_skip_verify or the camera's
// certificate. /healthz is not anonymous either: the project's rule is an account on every
// endpoint, and systemd's watchdog (package sdnotify) needs no HTTP probe.
func (s *Server) registerMetrics(mux *http.ServeMux, h http.Handler) http.Handler {
	reg := &metrics.Registry{}
	snapshots := metrics.NewHist(metrics.LatencyBuckets)
	reg.Collect(func(w *metrics.Writer) {
		w.Histogram("freecam_snapshot_request_duration_seconds",
			"Time to answer a successful single-picture request (snapshot.jpg, currentpic.cgi …), authentication included.", snapshots)
	})
	if o, ok := s.opts.Camera.(Observable); ok {
		reg.Collect(o.MetricsCollector())
		mux.Handle("GET /healthz", s.guard(auth.Viewer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if err := o.Health(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(err.Error() + "\n"))
				return
			}
			_, _ = w.Write([]byte("ok\n"))
		})))
	}
	mux.Handle("GET /metrics", s.guard(auth.Viewer, reg))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !snapshotPaths[r.URL.Path] {
			h.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status == http.StatusOK {
			snapshots.ObserveDuration(time.Since(start))
		}
	})
}

// statusWriter remembers the response's status.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
