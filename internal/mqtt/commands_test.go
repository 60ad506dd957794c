package mqtt

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
	"github.com/freecam/freecam/internal/testutil"
)

func TestCommandsRoundTrip(t *testing.T) {
	f := newFixture(t, setup{})
	// camtest starts with the blue LED on, the yellow and IR LEDs off, the IR cut in, auto night,
	// rtsp running, motion, recording and timelapse stopped, the motor at 1300, 350.
	tests := []struct {
		name, topic, payload string
		state, want          string
	}{
		{"blue LED off", "leds/blue/set", "OFF", "leds/blue", "OFF"},
		{"yellow LED on", "leds/yellow/set", "ON", "leds/yellow", "ON"},
		{"IR LED on", "leds/ir/set", "ON", "leds/ir", "ON"},
		{"IR cut off", "ir_cut/set", "OFF", "ir_cut", "OFF"},
		{"night on", "night_mode/set", "ON", "night_mode", "ON"},
		{"auto night on", "night_mode/auto/set", "ON", "night_mode/auto", "ON"},
		{"auto night off", "night_mode/auto/set", "OFF", "night_mode/auto", "OFF"},
		{"select day", "night_mode/mode/set", "day", "night_mode/mode", "day"},
		{"select auto", "night_mode/mode/set", "auto", "night_mode/mode", "auto"},
		{"select night", "night_mode/mode/set", "night", "night_mode/mode", "night"},
		{"rtsp off", "rtsp_server/set", "OFF", "rtsp_server", "OFF"},
		{"rtsp on", "rtsp_server/set", "ON", "rtsp_server", "ON"},
		{"recording on", "recording/set", "ON", "recording", "ON"},
		{"timelapse on", "timelapse/set", "ON", "timelapse", "ON"},
		{"detection on", "motion/detection/set", "ON", "motion/detection", "ON"},
		{"detection off", "motion/detection/set", "OFF", "motion/detection", "OFF"},
		{"motion LED off", "motion/led/set", "OFF", "motion/led", "OFF"},
		{"save snapshot on", "motion/snapshot/set", "ON", "motion/snapshot", "ON"},
		{"save video on", "motion/video/set", "ON", "motion/video", "ON"},
		{"mqtt publish on", "motion/mqtt_publish/set", "ON", "motion/mqtt_publish", "ON"},
		{"mqtt snapshot on", "motion/mqtt_snapshot/set", "ON", "motion/mqtt_snapshot", "ON"},
		{"send mail on", "motion/send_mail/set", "ON", "motion/send_mail", "ON"},
		{"send telegram on", "motion/send_telegram/set", "ON", "motion/send_telegram", "ON"},
		{"tracking on", "motion/tracking/set", "ON", "motion/tracking", "ON"},
		{"cover vertical position", "motors/vertical/set", "100", "motors/vertical", "100"},
		{"cover up", "motors/vertical/set", "up", "motors/vertical", "200"},
		{"cover down", "motors/vertical/set", "down", "motors/vertical", "100"},
		{"cover horizontal position", "motors/horizontal/set", "2000", "motors/horizontal", "2000"},
		{"cover left", "motors/horizontal/set", "left", "motors/horizontal", "1900"},
		{"cover right", "motors/horizontal/set", "right", "motors/horizontal", "2000"},
		{"calibrate", "motors/set", "calibrate", "motors/horizontal", "1300"},
		{"action.cgi name", "set", "blue_led_on", "leds/blue", "ON"},
		{"action.cgi reply", "set", "yellow_led_off", "yellow_led_off", "OK"},
		{"action.cgi motion flag", "set", "motion_send_mail_off", "motion/send_mail", "OFF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := f.command(base+"/"+tc.topic, tc.payload)
			f.waitAfter(n, base+"/"+tc.state, tc.want)
		})
	}

	// What the states say is what the camera did.
	cfg := f.cam.Config().Motion
	if cfg.Detection || cfg.Actions.TriggerLED || !cfg.Actions.SaveSnapshot || !cfg.Actions.SaveVideo || !cfg.Actions.MQTTMessage ||
		!cfg.Actions.MQTTSnapshot || cfg.Actions.SendEmail || !cfg.Actions.SendTelegram || !cfg.Tracking {
		t.Errorf("motion.conf after the commands: got %+v detection %t tracking %t", cfg.Actions, cfg.Detection, cfg.Tracking)
	}
	if !slices.Contains(f.cam.Calls(), "Calibrate") {
		t.Errorf("calls got %v, want Calibrate among them", f.cam.Calls())
	}

	t.Run("restart button", func(t *testing.T) {
		n := f.command(base+"/restart/set", "PRESS")
		// The reply goes out first, so that it leaves before a real restart ends the process.
		f.waitAfter(n, base+"/reboot", "Rebooting the System")
		testutil.WaitFor(t, "the first restart", func() bool { return f.cam.Restarts() == 1 })
		n = f.command(base+"/reboot/set", "ON")
		f.waitAfter(n, base+"/reboot", "Rebooting the System")
		testutil.WaitFor(t, "the second restart", func() bool { return f.cam.Restarts() == 2 })
	})
	t.Run("snapshot button", func(t *testing.T) {
		n := f.command(base+"/snapshot/set", "ON")
		m := f.waitAfter(n, base+"/snapshot", "")
		if !bytes.Equal(m.Payload, f.cam.JPEG()) {
			t.Errorf("snapshot: got %d bytes, want camtest's %d-byte JPEG", len(m.Payload), len(f.cam.JPEG()))
		}
	})
	t.Run("snapshot image GET", func(t *testing.T) {
		n := f.command(base+"/snapshot/image", "GET")
		m := f.sub.Wait(t, after(n, func(m mosquittotest.Message) bool {
			return m.Topic == base+"/snapshot/image" && string(m.Payload) != "GET"
		}), wait)
		if !bytes.Equal(m.Payload, f.cam.JPEG()) {
			t.Errorf("snapshot/image: got %q…, want camtest's JPEG", m.Payload[:min(8, len(m.Payload))])
		}
		// The JPEG coming back on the same topic is not a request. An echo loop would publish
		// picture after picture; over two status round trips at most one picture may show (a
		// re-announce an earlier subtest asked for can land here on a loaded machine).
		n = len(f.sub.All())
		for range 2 {
			m2 := f.command(base+"/set", "status") // a marker after which any echo loop would show
			f.waitAfter(m2, base+"/", "")
		}
		pics := 0
		for _, m := range f.sub.All()[n:] {
			if m.Topic == base+"/snapshot/image" {
				pics++
			}
		}
		if pics > 1 {
			t.Errorf("pictures after the marker: got %d, want at most 1 (an echo loop)", pics)
		}
	})
	t.Run("status and help", func(t *testing.T) {
		n := f.command(base+"/set", "status")
		m := f.waitAfter(n, base+"/", "")
		var st statusJSON
		if err := json.Unmarshal(m.Payload, &st); err != nil {
			t.Fatalf("status: %v: %s", err, m.Payload)
		}
		if st.Version != "1.2.3" || st.SignalLevel != "-61 dBm" || st.LinkQuality != "49/70" || st.Readers != 1 || st.FreeBytes != 8<<30 ||
			!strings.HasPrefix(st.Uptime, "up ") || st.UptimeSeconds <= 0 {
			t.Errorf("status: got %+v", st)
		}
		n = f.command(base+"/set", "help")
		m = f.waitAfter(n, base+"/help", "")
		for _, want := range []string{base + "/leds/blue/set", "blue_led_on", base + "/motors/vertical/set"} {
			if !strings.Contains(string(m.Payload), want) {
				t.Errorf("help: got %q, want it to name %s", m.Payload, want)
			}
		}
	})
}

func TestMotorPositionsFollowFlip(t *testing.T) {
	f := newFixture(t, setup{camera: func(c *camtest.Camera) {
		if _, err := conf.Apply(c.ConfigDir(), conf.Edits{conf.RTSPServerFile: {"FLIP": "ON"}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Reload(); err != nil {
			t.Fatal(err)
		}
	}})
	n := f.command(base+"/motors/vertical/set", "100")
	f.waitAfter(n, base+"/motors/vertical", "100")
	n = f.command(base+"/motors/horizontal/set", "600")
	f.waitAfter(n, base+"/motors/horizontal", "600")
	if got := f.cam.Hardware().Motor; got.X != 2000 || got.Y != 600 {
		t.Errorf("motor position: got %+v, want 2000, 600 (MAX - published when flipped)", got)
	}
}

func TestBadInputIsReportedAndIgnored(t *testing.T) {
	f := newFixture(t, setup{})
	tests := []struct{ name, topic, payload, want string }{
		{"bad payload", "leds/blue/set", "maybe", `leds/blue/set: payload "maybe" is not ON or OFF`},
		{"unknown topic", "frobnicate/set", "ON", "frobnicate/set: unknown command topic"},
		{"position out of range", "motors/vertical/set", "9999", `motors/vertical/set: payload "9999" is not up, down or a position from 0 to 700`},
		{"bad select", "night_mode/mode/set", "dusk", `night_mode/mode/set: payload "dusk" is not auto, day or night`},
		{"bad set", "set", "rm -rf /", `set: payload "rm -rf /" is not help, status, announce`},
		{"no audio", "hwvolume/set", "50", "hwvolume/set: freecam has no audio"},
		{"update", "update/set", "install", `update/set: payload "install" is not update`},
		{"remount", "remount_sdcard/set", "ON", "remount_sdcard/set: not supported"},
		{"long payload", "ir_cut/set", strings.Repeat("x", 5000), "ir_cut/set: payload \"xxxx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := f.command(base+"/"+tc.topic, tc.payload)
			m := f.sub.Wait(t, after(n, func(m mosquittotest.Message) bool { return m.Topic == base+"/error" }), wait)
			if !strings.HasPrefix(string(m.Payload), tc.want) {
				t.Errorf("error: got %q, want it to start with %q", m.Payload, tc.want)
			}
			if len(m.Payload) > 300 {
				t.Errorf("error: got %d bytes, want the payload clipped", len(m.Payload))
			}
		})
	}
	// The bridge still works.
	n := f.command(base+"/leds/blue/set", "OFF")
	f.waitAfter(n, base+"/leds/blue", "OFF")
	if f.cam.Hardware().BlueLED {
		t.Error("blue LED: got on, want off")
	}
}
