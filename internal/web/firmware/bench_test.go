package firmware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/freecam/freecam/internal/web/auth"
)

// BenchmarkCGI measures the URLs that integrations poll: currentpic.cgi (Home Assistant's
// generic camera, every few seconds) and state.cgi?cmd=all.
func BenchmarkCGI(b *testing.B) {
	g := newRig(b)
	for _, path := range []string{"/cgi-bin/currentpic.cgi", "/cgi-bin/state.cgi?cmd=all", "/cgi-bin/action.cgi?cmd=blue_led_status"} {
		b.Run(path, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set(roleHeader, string(auth.Admin))
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				g.mux.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("got %d, want 200", w.Code)
				}
			}
		})
	}
}
