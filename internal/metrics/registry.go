package metrics

import (
	"net/http"
	"strconv"
	"sync"
)

// ContentType is the text format's media type, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry is the set of collect functions one /metrics serves. Collect and ServeHTTP are safe
// from any goroutine; scrapes are serialised, so collect functions need no lock of their own
// for state they keep between scrapes.
type Registry struct {
	mu  sync.Mutex
	fns []func(*Writer)
	w   Writer // reused between scrapes
}

// Collect adds fn, which writes its families at every scrape, after those added before it.
// Families must not repeat across collect functions.
func (r *Registry) Collect(fn func(*Writer)) {
	r.mu.Lock()
	r.fns = append(r.fns, fn)
	r.mu.Unlock()
}

// write runs every collect function and returns the exposition. The result is valid until the
// next Write.
func (r *Registry) write() []byte {
	r.w.Reset()
	for _, fn := range r.fns {
		fn(&r.w)
	}
	return r.w.Bytes()
}

// Gather returns a copy of the current exposition.
func (r *Registry) Gather() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.write()...)
}

// ServeHTTP answers a scrape with the exposition. It does no authentication: the caller's
// router does.
func (r *Registry) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.write()
	h := rw.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if req.Method == http.MethodHead {
		return
	}
	_, _ = rw.Write(b)
}
