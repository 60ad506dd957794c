package ptzsvc

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/onvif/soap"
)

// BenchmarkGetStatus is one GetStatus as Frigate polls it during
// autotracking (decode, position, response envelope).
func BenchmarkGetStatus(b *testing.B) {
	f := newFixture(b, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
	req, err := soap.ParseRequest(strings.NewReader(envelope("GetStatus", profile)), 0)
	if err != nil {
		b.Fatal(err)
	}
	call := &soap.Call{Req: req, User: "admin", Admin: true}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.s.ServeSOAP(rec, nil, call)
		if rec.Code != 200 {
			b.Fatalf("got %d", rec.Code)
		}
	}
}
