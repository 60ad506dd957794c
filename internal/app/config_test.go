package app

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/service"
)

func TestOnlyOSDChangedLooksAtEveryOtherFile(t *testing.T) {
	base := conf.Defaults()
	for name, change := range map[string]func(c *conf.Config){
		"nothing":         func(c *conf.Config) {},
		"osd.conf":        func(c *conf.Config) { c.OSD.Size = 24 },
		"motion.conf":     func(c *conf.Config) { c.Motion.Sensitivity = 4 },
		"autonight.conf":  func(c *conf.Config) { c.AutoNight.MinDwell = time.Hour },
		"recording.conf":  func(c *conf.Config) { c.Recording.MaxDays = 1 },
		"timelapse.conf":  func(c *conf.Config) { c.Timelapse.Quality = 10 },
		"rtspserver.conf": func(c *conf.Config) { c.RTSP.Port = 1 },
		"freecam.conf":    func(c *conf.Config) { c.Freecam.SnapshotQuality = 1 },
		"hal.conf":        func(c *conf.Config) { c.HAL.Board = "dafang" }, // applied only at restart
	} {
		next := conf.Defaults()
		change(next)
		want := name == "nothing" || name == "osd.conf" || name == "hal.conf"
		if got := onlyOSDChanged(base, next); got != want {
			t.Errorf("%s changed: got onlyOSDChanged %v, want %v", name, got, want)
		}
	}
}

// A change of onvif.conf alone restarts the onvif service, not the video: the new name is
// announced while RTSP viewers carry on.
func TestONVIFConfigChangesLive(t *testing.T) {
	t.Parallel()
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	before := r.app.cur
	if err := os.WriteFile(filepath.Join(dir, conf.ONVIFFile), []byte("ONVIF_DISCOVERY=off\nONVIF_NAME='Shelf cam'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.app.Reload(); err != nil {
		t.Fatal(err)
	}
	r.app.mu.Lock()
	same := r.app.cur == before
	r.app.mu.Unlock()
	if !same {
		t.Error("an onvif.conf change restarted the video, want it applied live")
	}
	if got := r.app.onvifInfo().Name; got != "Shelf cam" {
		t.Errorf("got name %q after the reload, want %q", got, "Shelf cam")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, _ := r.app.cur.services.Status("onvif")
		if st.State == service.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got the onvif service %s 10 s after the reload, want running", st.State)
		}
	}
}

// WS-Discovery announces where ONVIF is reachable: plain HTTP, else HTTPS, never a listener
// bound to loopback.
func TestONVIFXAddrsFollowTheListener(t *testing.T) {
	t.Parallel()
	local := netip.MustParseAddr("192.0.2.2")
	for name, tc := range map[string]struct {
		freecamConf string
		want        string // scheme and the listener whose port is announced; "" none
	}{
		"http everywhere":                    {"HTTP_LISTEN=:0\n", "http"},
		"http on loopback, https everywhere": {"HTTP_LISTEN=127.0.0.1:0\nHTTPS_LISTEN=:0\n", "https"},
		"both on loopback":                   {"HTTP_LISTEN=127.0.0.1:0\n", ""},
		"no http, https everywhere":          {"HTTP_LISTEN=off\nHTTPS_LISTEN=:0\n", "https"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startApp(t, writeConfig(t, map[string]string{"freecam.conf": tc.freecamConf}), Options{})
			got := r.app.onvifXAddrs(local)
			if tc.want == "" {
				if got != nil {
					t.Errorf("got XAddrs %v, want none", got)
				}
				return
			}
			addr := r.app.web.HTTPAddr()
			if tc.want == "https" {
				addr = r.app.web.HTTPSAddr()
			}
			want := tc.want + "://192.0.2.2:" + strconv.Itoa(portOf(addr)) + "/onvif/device_service"
			if len(got) != 1 || got[0] != want {
				t.Errorf("got XAddrs %v, want [%s]", got, want)
			}
		})
	}
}

// What applies without restarting the video: the web server's addresses (they wait for
// freecam's restart) and onvif.conf among them; the stream's settings not.
func TestLiveChangeable(t *testing.T) {
	base := conf.Defaults()
	for name, tc := range map[string]struct {
		change func(c *conf.Config)
		want   bool
	}{
		"HTTP_LISTEN":     {func(c *conf.Config) { c.Freecam.HTTPListen = ":9090" }, true},
		"HTTPS_LISTEN":    {func(c *conf.Config) { c.Freecam.HTTPSListen = ":9443" }, true},
		"onvif.conf":      {func(c *conf.Config) { c.ONVIF.Name = "Shelf cam" }, true},
		"motion.conf":     {func(c *conf.Config) { c.Motion.Sensitivity = 4 }, true},
		"rtspserver.conf": {func(c *conf.Config) { c.RTSP.Port = 1 }, false},
		"GOP_SECONDS":     {func(c *conf.Config) { c.Freecam.GOP = time.Second }, false},
	} {
		next := conf.Defaults()
		tc.change(next)
		if got := liveChangeable(base, next); got != tc.want {
			t.Errorf("%s changed: got liveChangeable %v, want %v", name, got, tc.want)
		}
	}
}
