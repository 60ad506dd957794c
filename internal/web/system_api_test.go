package web

import (
	"encoding/json"
	"net/http"
	"os"
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
		TimeZone: "Europe/Berlin", MDNS: "running", MDNSHost: "garden-cam", MDNSWebURL: "https://garden-cam.local:8443/",
		Problems: []string{"defaultgw.conf line 1: \"router\" is not an IPv4 address (no default route)"},
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
	for _, k := range []string{"service", "address", "dns", "lease_seconds", "swap", "ntp_server", "ntp_offset_ms", "time_zone", "mdns", "mdns_host", "mdns_web_url", "problems"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, body)
		}
	}
	// A stopped service: the network fields are absent, static (false) is always there.
	ts.cam.SetSystem(camera.SystemState{Service: "stopped"})
	_, body, _ = ts.do(t, http.MethodGet, "/api/v1/system", "viewer", "viewer-pass-1", nil, nil)
	raw = nil
	json.Unmarshal([]byte(body), &raw)
	if v, ok := raw["static"]; !ok || v != false {
		t.Errorf("stopped: got static %v (present %v), want false present: %s", v, ok, body)
	}
	for _, k := range []string{"address", "problems", "mdns_web_url"} {
		if _, ok := raw[k]; ok {
			t.Errorf("stopped: got %q in %s, want it absent", k, body)
		}
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/system", "", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/v1/system: got %d, want 401", code)
	}
}

// docs/openapi.json's System schema names exactly camera.SystemState's JSON fields.
func TestOpenAPISystemSchema(t *testing.T) {
	raw, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	documented := doc.Components.Schemas["System"].Properties
	typ := reflect.TypeFor[camera.SystemState]()
	fields := map[string]bool{}
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		fields[name] = true
		if _, ok := documented[name]; !ok {
			t.Errorf("camera.SystemState's %q is not in docs/openapi.json's System schema", name)
		}
	}
	for name := range documented {
		if !fields[name] {
			t.Errorf("docs/openapi.json's System schema has %q, which camera.SystemState does not", name)
		}
	}
}
