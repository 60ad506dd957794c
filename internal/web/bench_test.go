package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGuardedSnapshot is Home Assistant's poll: Basic credentials (verified once, then from
// the cache) and currentpic.cgi, through every middleware, without TLS.
func BenchmarkGuardedSnapshot(b *testing.B) {
	ts := newTestServer(b, false)
	h := ts.srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/cgi-bin/currentpic.cgi", nil)
	req.SetBasicAuth("admin", ts.adminPass)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d", w.Code)
		}
	}
}

// BenchmarkGuardedStatusAPI is a logged-in page's poll of /api/v1/status with the session cookie.
func BenchmarkGuardedStatusAPI(b *testing.B) {
	ts := newTestServer(b, false)
	h := ts.srv.Handler()
	login := httptest.NewRecorder()
	if _, err := ts.auth.Login(login, httptest.NewRequest(http.MethodPost, "/login", nil), "admin", ts.adminPass); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/status", nil)
	for _, c := range login.Result().Cookies() {
		req.AddCookie(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d", w.Code)
		}
	}
}
