package firmware

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/web/auth"
)

// parseState reads key:value lines.
func parseState(t *testing.T, body string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line %q: not key:value", l)
		}
		m[k] = v
	}
	return m
}

func TestStateAll(t *testing.T) {
	ctx := context.Background()
	g := newRig(t)
	// Move away from the defaults in both directions, so a constant answer cannot pass.
	if err := g.cam.SetSwitch(ctx, camera.BlueLED, false); err != nil {
		t.Fatal(err)
	}
	if err := g.cam.SetSwitch(ctx, camera.YellowLED, true); err != nil {
		t.Fatal(err)
	}
	if err := g.cam.SetNightMode(ctx, camera.Night); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"motion_detection_on", "motion_detection_telegram_on", "motion_detection_led_off", "motion_detection_mqtt_video_on", "rtsp_stop"} {
		if w := g.action(t, cmd); w.Code != 200 {
			t.Fatalf("%s: got %d %q, want 200", cmd, w.Code, w.Body.String())
		}
	}
	w := g.do(t, auth.Viewer, http.MethodGet, "/cgi-bin/state.cgi", url.Values{"cmd": {"all"}})
	if w.Code != 200 {
		t.Fatalf("got %d, want 200", w.Code)
	}
	got := parseState(t, w.Body.String())
	wantAll := map[string]string{
		"auto_night_mode":      "OFF",
		"sound_on_startup":     "OFF",
		"ir_led":               "ON",
		"ir_cut":               "OFF",
		"blue_led":             "OFF",
		"yellow_led":           "ON",
		"motion_detection":     "ON",
		"motion_mail":          "OFF",
		"motion_telegram":      "ON",
		"motion_led":           "OFF",
		"motion_snapshot":      "OFF",
		"motion_mqtt":          "OFF",
		"motion_mqtt_snapshot": "OFF",
		"motion_mqtt_video":    "ON",
		"night_mode":           "ON",
		"rtsp":                 "OFF",
		"motion_tracking":      "OFF",
		"motion_video":         "OFF",
	}
	for k, v := range wantAll {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(wantAll) {
		t.Errorf("keys: got %d, want %d (%v)", len(got), len(wantAll), got)
	}
	// The firmware's own lines come first, in its order, for scripts that read them by position.
	first := strings.Split(w.Body.String(), "\n")[0]
	if first != "auto_night_mode:OFF" {
		t.Errorf("first line: got %q, want auto_night_mode:OFF", first)
	}
}

func TestStateSingles(t *testing.T) {
	g := newRig(t)
	tests := []struct {
		cmd, body string
		code      int
	}{
		{"blue_led", "ON", 200},
		{"yellow_led", "OFF", 200},
		{"ir_cut", "ON", 200},
		{"night_mode", "OFF", 200},
		{"auto_night_detection", "ON", 200},
		{"auto_night_detection_mode", "virtual", 200},
		{"rtsp", "ON", 200},
		{"mqtt_status", "OFF", 200},
		{"motion_detection", "OFF", 200},
		{"motion_tracking", "OFF", 200},
		{"motion_led", "ON", 200},
		{"motion_mail", "OFF", 200},
		{"hostname", "camtest", 200},
		{"version", "camtest", 200},
		{"nope", `unknown command "nope"`, 400},
		{"", "missing cmd", 400},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			w := g.do(t, auth.Viewer, http.MethodGet, "/cgi-bin/state.cgi", url.Values{"cmd": {tt.cmd}})
			want(t, w, tt.code, tt.body+"\n")
		})
	}
}

func TestPictures(t *testing.T) {
	g := newRig(t)
	for _, path := range []string{"/cgi-bin/currentpic.cgi", "/cgi-bin/currentpicoptim.cgi", "/cgi-bin/downloadpic.cgi"} {
		t.Run(path, func(t *testing.T) {
			w := g.do(t, auth.Viewer, http.MethodGet, path, nil)
			if ct := w.Header().Get("Content-Type"); w.Code != 200 || ct != "image/jpeg" {
				t.Errorf("got %d %q, want 200 image/jpeg", w.Code, ct)
			}
			if !bytes.Equal(w.Body.Bytes(), g.cam.JPEG()) {
				t.Errorf("body: got %d bytes, want the camera's %d-byte JPEG", w.Body.Len(), len(g.cam.JPEG()))
			}
		})
	}
}

func TestDownloadPicName(t *testing.T) {
	g := newRig(t)
	before := time.Now().Truncate(time.Second)
	w := g.do(t, auth.Viewer, http.MethodGet, "/cgi-bin/downloadpic.cgi", nil)
	after := time.Now()
	cd := w.Header().Get("Content-Disposition")
	m := regexp.MustCompile(`^attachment; filename="(\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)\.jpeg"$`).FindStringSubmatch(cd)
	if m == nil {
		t.Fatalf("Content-Disposition: got %q, want attachment; filename=\"YYYY-MM-DD-HH-MM-SS.jpeg\"", cd)
	}
	at, err := time.ParseInLocation("2006-01-02-15-04-05", m[1], time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if at.Before(before) || at.After(after) {
		t.Errorf("file name time: got %v, want local time between %v and %v", at, before, after)
	}
}
