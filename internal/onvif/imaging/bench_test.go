package imaging

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// BenchmarkGetImagingSettings is one GetImagingSettings from the parsed
// request to the written response (Home Assistant reads it at each refresh
// of the switch).
func BenchmarkGetImagingSettings(b *testing.B) {
	f := newFixture(b)
	req, err := soap.ParseRequest(strings.NewReader(envelope("GetImagingSettings", source)), 0)
	if err != nil {
		b.Fatal(err)
	}
	hr := httptest.NewRequest(http.MethodPost, "/onvif/imaging_service", nil)
	c := &soap.Call{Req: req, User: "admin", Admin: true}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.s.ServeSOAP(rec, hr, c)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
