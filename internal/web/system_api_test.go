package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
)

func TestSystemAPI(t *testing.T) {
	ts := newTestServer(t, false)
	want := camera.SystemState{
		Service: "running", Owned: true, Interface: "wlan0", Address: "192.168.1.50/24", Gateway: "192.168.1.1",
		DNS: []string{"192.168.1.1"}, LeaseSeconds: 86400, Bound: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Swap:         []camera.SwapArea{{Path: "/dev/zram0", Priority: 20, Bytes: 16 << 20}},
		ClockManaged: false, NTPServer: "pool.ntp.org", NTPLastSync: time.Date(2024, 5, 1, 12, 1, 0, 0, time.UTC), NTPOffsetMS: -3.25,
		TimeZone: "Europe/Berlin", MDNS: "running", MDNSHost: "garden-cam",
	}
	ts.cam.SetSystem(want)
	code, body, hdr := ts.do(t, http.MethodGet, "/api/v1/system", "viewer", "viewer-pass-1", nil, nil)
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("viewer GET /api/v1/system: got %d %q, want 200 JSON: %s", code, hdr.Get("Content-Type"), body)
	}
	var got camera.SystemState
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("not a system state: %v: %s", err, body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	var raw map[string]any
	json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"service", "address", "dns", "lease_seconds", "swap", "ntp_server", "ntp_offset_ms", "time_zone", "mdns", "mdns_host"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, body)
		}
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/system", "", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/v1/system: got %d, want 401", code)
	}
}
