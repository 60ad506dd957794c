package onvif

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// BenchmarkGetProfiles is one GetProfiles round trip through Handler as Home Assistant sends it
// (zeep's envelope, a PasswordDigest with a fresh nonce), with the PTZ configuration embedded:
// parse, verify, build the profile, marshal. The envelopes are made beforehand; the server is
// renewed (timer stopped) when they run out, so every nonce is fresh.
func BenchmarkGetProfiles(b *testing.B) {
	const n = 2048
	envs := make([][]byte, n)
	e := newTestEnv(b, func(o *Options) { o.Log = slog.New(slog.DiscardHandler) })
	for i := range envs {
		envs[i] = []byte(zeepEnvelope("GetProfiles", soap.NSMedia, "", "admin", "secret", e.freshNonce()))
	}
	h := e.srv.Handler()
	rec := newCapture()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			e = newTestEnv(b, func(o *Options) { o.Log = slog.New(slog.DiscardHandler) })
			h, i = e.srv.Handler(), 0
			b.StartTimer()
		}
		req := httptest.NewRequest(http.MethodPost, MediaPath, bytes.NewReader(envs[i]))
		rec.body.Reset()
		rec.status = 0
		clear(rec.header)
		h.ServeHTTP(rec, req)
		if rec.status != http.StatusOK {
			b.Fatalf("got %d\n%s", rec.status, rec.body.Bytes())
		}
		i++
	}
}
