package firmware

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/web/auth"
)

func TestSwitches(t *testing.T) {
	g := newRig(t)
	parts := map[string]func(hal.State) bool{
		"blue_led":   func(s hal.State) bool { return s.BlueLED },
		"yellow_led": func(s hal.State) bool { return s.YellowLED },
		"ir_led":     func(s hal.State) bool { return s.IRLED },
		"ir_cut":     func(s hal.State) bool { return s.IRCutDay },
	}
	for name, get := range parts {
		for _, on := range []bool{true, false, true} {
			verb := map[bool]string{true: "on", false: "off"}[on]
			t.Run(name+"_"+verb, func(t *testing.T) {
				want(t, g.action(t, name+"_"+verb), http.StatusOK, onOff(on)+"\n")
				if got := get(g.cam.Hardware()); got != on {
					t.Errorf("fake's %s: got %v, want %v", name, got, on)
				}
				want(t, g.action(t, name+"_status"), http.StatusOK, onOff(on)+"\n")
			})
		}
	}
}

func TestNight(t *testing.T) {
	g := newRig(t)
	steps := []struct {
		cmd, body           string
		wantNight, wantAuto bool
	}{
		{"night_mode_on", "ON", true, false},
		{"night_mode_status", "ON", true, false},
		{"auto_night_mode_start", "ON", true, true},
		{"auto_night_mode_status", "ON", true, true},
		{"auto_night_mode_stop", "OFF", true, false}, // keeps night
		{"night_mode_off", "OFF", false, false},
		{"night_mode_status", "OFF", false, false},
		{"auto_night_mode_status", "OFF", false, false},
	}
	for _, s := range steps {
		t.Run(s.cmd, func(t *testing.T) {
			want(t, g.action(t, s.cmd), http.StatusOK, s.body+"\n")
			if n := g.cam.Night(); n.Night != s.wantNight || n.Auto != s.wantAuto {
				t.Errorf("night, auto: got %v %v, want %v %v", n.Night, n.Auto, s.wantNight, s.wantAuto)
			}
		})
	}
}

func TestMotor(t *testing.T) {
	g := newRig(t)
	start := g.cam.Hardware().Motor
	tests := []struct {
		name  string
		args  []string
		code  int
		wantP hal.Position
	}{
		{"left 200", []string{"motor_left", "val", "200"}, 200, hal.Position{X: start.X - 200, Y: start.Y}},
		{"right default", []string{"motor_right"}, 200, hal.Position{X: start.X - 100, Y: start.Y}},
		{"up default", []string{"motor_up"}, 200, hal.Position{X: start.X - 100, Y: start.Y + 100}},
		{"down 50", []string{"motor_down", "val", "50"}, 200, hal.Position{X: start.X - 100, Y: start.Y + 50}},
		{"bad val", []string{"motor_down", "val", "lots"}, 400, hal.Position{X: start.X - 100, Y: start.Y + 50}},
		{"negative val", []string{"motor_down", "val", "-5"}, 400, hal.Position{X: start.X - 100, Y: start.Y + 50}},
		{"ptz", []string{"motor_PTZ", "x_axis", "10", "y_axis", "20"}, 200, hal.Position{X: 10, Y: 20}},
		{"ptz missing y", []string{"motor_PTZ", "x_axis", "10"}, 400, hal.Position{X: 10, Y: 20}},
		{"ptz clamped", []string{"motor_PTZ", "x_axis", "9000", "y_axis", "0"}, 200, hal.Position{X: camtest.MaxX, Y: 0}},
		{"calibrate", []string{"motor_calibrate"}, 200, hal.Position{X: camtest.MaxX / 2, Y: camtest.MaxY / 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := g.action(t, tt.args[0], tt.args[1:]...)
			if w.Code != tt.code {
				t.Fatalf("got %d %q, want %d", w.Code, w.Body.String(), tt.code)
			}
			got := g.cam.Hardware().Motor
			if got != tt.wantP {
				t.Errorf("position: got %+v, want %+v", got, tt.wantP)
			}
			if tt.code == 200 {
				if body, wantB := w.Body.String(), "x:"+itoa(got.X)+"\ny:"+itoa(got.Y)+"\n"; body != wantB {
					t.Errorf("body: got %q, want %q", body, wantB)
				}
			}
		})
	}

	hw := g.cam.Hardware()
	hw.HasMotor = false
	g.cam.SetHardware(hw)
	for _, cmd := range []string{"motor_left", "motor_calibrate"} {
		want(t, g.action(t, cmd), http.StatusConflict, "this camera has no motor\n")
	}
	want(t, g.action(t, "motor_PTZ", "x_axis", "1", "y_axis", "1"), http.StatusConflict, "this camera has no motor\n")
}

func TestHardwareErrors(t *testing.T) {
	g := newRig(t)
	g.cam.Fail("SetSwitch", errors.New("gpio 39: device busy"))
	want(t, g.action(t, "blue_led_off"), http.StatusServiceUnavailable, "blue_led_off: gpio 39: device busy\n")
	if !g.cam.Hardware().BlueLED {
		t.Errorf("blue LED after a failed switch: got off, want on (unchanged)")
	}
	hw := g.cam.Hardware()
	hw.HasYellowLED = false
	g.cam.SetHardware(hw)
	want(t, g.action(t, "yellow_led_on"), http.StatusConflict, "this camera has no yellow LED\n")
	g.cam.Fail("ServiceControl", errors.New("rtsp: "+service.ErrUnknown.Error()))
	if w := g.action(t, "rtsp_stop"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("rtsp_stop failing: got %d, want 503", w.Code)
	}
}

// motionConf reads a key of the motion.conf on disk.
func motionConf(t *testing.T, dir, key string) string {
	t.Helper()
	d, err := shellconf.ReadFile(filepath.Join(dir, conf.MotionFile))
	if err != nil {
		t.Fatal(err)
	}
	v, _, _, err := d.Static(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMotionDetection(t *testing.T) {
	g := newRig(t)
	for _, on := range []bool{true, false, true} {
		word := onOff(on)
		t.Run(word, func(t *testing.T) {
			want(t, g.action(t, "motion_detection_"+strings.ToLower(word)), http.StatusOK, word+"\n")
			if got := g.cam.Motion().Enabled; got != on {
				t.Errorf("motion service running: got %v, want %v", got, on)
			}
			cfg, _, err := conf.Load(g.dir)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Motion.Detection != on {
				t.Errorf("motion.conf motion_detection: got %v, want %v", cfg.Motion.Detection, on)
			}
			if got := g.cam.Config().Motion.Detection; got != on {
				t.Errorf("camera's config after reload: got %v, want %v", got, on)
			}
			want(t, g.action(t, "motion_detection_status"), http.StatusOK, word+"\n")
		})
	}
}

func TestMotionFlags(t *testing.T) {
	g := newRig(t)
	for _, f := range motionFlags() {
		for _, on := range []bool{true, false} {
			word := onOff(on)
			cmd := "motion_detection_" + f.action + "_"
			t.Run(cmd+word, func(t *testing.T) {
				want(t, g.action(t, cmd+strings.ToLower(word)), http.StatusOK, word+"\n")
				wantV := map[bool]string{true: "true", false: "false"}[on]
				if got := motionConf(t, g.dir, f.key); got != wantV {
					t.Errorf("motion.conf %s: got %q, want %q", f.key, got, wantV)
				}
				want(t, g.action(t, cmd+"status"), http.StatusOK, word+"\n")
				want(t, g.get(t, "/cgi-bin/state.cgi", url.Values{"cmd": {f.state}}), http.StatusOK, word+"\n")
			})
		}
	}
}

func TestSetRegionOfInterest(t *testing.T) {
	g := newRig(t)
	w := g.action(t, "set_region_of_interest", "x0", "10", "y0", "20", "x1", "300", "y1", "200",
		"motion_sensitivity", "4", "motion_indicator_color", "3", "motion_timeout", "30",
		"motion_tracking", "on", "motion_detection", "on", "restart_server", "1")
	want(t, w, http.StatusOK, "motion.conf saved\n")
	cfg, _, err := conf.Load(g.dir)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Motion
	if len(m.Regions) != 1 || m.Regions[0].Min.X != 10 || m.Regions[0].Min.Y != 20 || m.Regions[0].Max.X != 300 || m.Regions[0].Max.Y != 200 {
		t.Errorf("regions: got %v, want [(10,20)-(300,200)]", m.Regions)
	}
	if m.Sensitivity != 4 || m.IndicatorColor != 3 || m.Timeout.Seconds() != 30 || !m.Tracking || !m.Detection {
		t.Errorf("motion: got sensitivity %d colour %d timeout %v tracking %v detection %v, want 4 3 30s true true",
			m.Sensitivity, m.IndicatorColor, m.Timeout, m.Tracking, m.Detection)
	}
	if !g.cam.Motion().Enabled {
		t.Errorf("motion service after motion_detection=on: got stopped, want running")
	}

	before, err := os.ReadFile(filepath.Join(g.dir, conf.MotionFile))
	if err != nil {
		t.Fatal(err)
	}
	bad := []struct{ name, key, value string }{
		{"sensitivity", "motion_sensitivity", "9"},
		{"colour", "motion_indicator_color", "pink"},
		{"region", "x1", "wide"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			w := g.action(t, "set_region_of_interest", "x0", "0", "y0", "0", "x1", "100", "y1", "100", "motion_sensitivity", "1", b.key, b.value)
			key := b.key
			if key == "x1" {
				key = "region_of_interest"
			}
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), key) {
				t.Errorf("got %d %q, want 400 naming %s", w.Code, w.Body.String(), key)
			}
			after, err := os.ReadFile(filepath.Join(g.dir, conf.MotionFile))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, before) {
				t.Errorf("motion.conf changed by a refused edit:\n%s", after)
			}
		})
	}
	if w := g.action(t, "set_region_of_interest", "x0", "1"); w.Code != http.StatusBadRequest {
		t.Errorf("half a rectangle: got %d, want 400", w.Code)
	}
}

func TestUnknownAndUnsupported(t *testing.T) {
	g := newRig(t)
	tests := []struct{ cmd, body string }{
		{"x", `unknown command "x"`},
		{"x;reboot", `unknown command "x;reboot"`},
		{"reboot;", `unknown command "reboot;"`},
		{"$(reboot)", `unknown command "$(reboot)"`},
		{"<script>alert(1)</script>", `unknown command "<script>alert(1)</script>"`},
		{"a\nb", `unknown command "a\nb"`},
		{"set_http_password", "set_http_password: not supported by freecam: use `freecam passwd` or the System page"},
		{"update", "update: not supported by freecam: freecam is updated by replacing its binary, not from GitHub"},
		{"shutdown", "shutdown: not supported by freecam: freecam cannot power the camera off; use reboot to restart freecam"},
		{"", "missing cmd"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			w := g.action(t, tt.cmd, "password", "hunter2")
			want(t, w, http.StatusBadRequest, tt.body+"\n")
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type: got %q, want text/plain", ct)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
			}
		})
	}
	if n := g.cam.Restarts(); n != 0 {
		t.Errorf("restarts: got %d, want 0", n)
	}
	if calls := g.cam.Calls(); len(calls) != 0 {
		t.Errorf("camera calls: got %q, want none", calls)
	}
}

func TestSystem(t *testing.T) {
	g := newRig(t)
	want(t, g.action(t, "rtsp_stop"), http.StatusOK, "OFF\n")
	want(t, g.get(t, "/cgi-bin/state.cgi", url.Values{"cmd": {"rtsp"}}), http.StatusOK, "OFF\n")
	want(t, g.action(t, "rtsp_start"), http.StatusOK, "ON\n")
	want(t, g.get(t, "/cgi-bin/state.cgi", url.Values{"cmd": {"rtsp"}}), http.StatusOK, "ON\n")

	w := g.action(t, "snapshot")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), g.cam.JPEG()) {
		t.Errorf("snapshot: got %d with %d bytes, want 200 with the camera's %d-byte JPEG", w.Code, w.Body.Len(), len(g.cam.JPEG()))
	}

	w = g.action(t, "showlog", "logname", "2")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "INFO freecam started\n") {
		t.Errorf("showlog: got %d %q, want the camera's log", w.Code, w.Body.String())
	}

	w = g.do(t, auth.Admin, http.MethodPost, "/cgi-bin/action.cgi", url.Values{"cmd": {"reboot"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "restarting freecam") {
		t.Errorf("reboot: got %d %q, want 200 saying freecam restarts", w.Code, w.Body.String())
	}
	if n := g.cam.Restarts(); n != 1 {
		t.Errorf("restarts: got %d, want 1", n)
	}
}

func TestRoles(t *testing.T) {
	g := newRig(t)
	tests := []struct {
		role         auth.Role
		method, path string
		cmd          string
		code         int
	}{
		{auth.Viewer, "GET", "/cgi-bin/action.cgi", "blue_led_status", 403},
		{auth.Viewer, "POST", "/cgi-bin/action.cgi", "reboot", 403},
		{auth.Viewer, "GET", "/cgi-bin/state.cgi", "all", 200},
		{auth.Viewer, "GET", "/cgi-bin/currentpic.cgi", "", 200},
		{auth.Viewer, "GET", "/cgi-bin/currentpicoptim.cgi", "", 200},
		{auth.Viewer, "GET", "/cgi-bin/downloadpic.cgi", "", 200},
		{auth.Admin, "POST", "/cgi-bin/action.cgi", "blue_led_status", 200},
		{auth.Admin, "DELETE", "/cgi-bin/action.cgi", "blue_led_status", 405},
		{"", "GET", "/cgi-bin/state.cgi", "all", 403},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+" "+tt.method+" "+tt.path, func(t *testing.T) {
			w := g.do(t, tt.role, tt.method, tt.path, url.Values{"cmd": {tt.cmd}})
			if w.Code != tt.code {
				t.Errorf("got %d %q, want %d", w.Code, w.Body.String(), tt.code)
			}
		})
	}
	if n := g.cam.Restarts(); n != 0 {
		t.Errorf("restarts after a viewer's reboot: got %d, want 0", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
