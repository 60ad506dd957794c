package mqtt

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

func TestMotionEvents(t *testing.T) {
	f := newFixture(t, setup{camera: func(c *camtest.Camera) {
		if _, err := conf.Apply(c.ConfigDir(), conf.Edits{conf.MotionFile: {"publish_mqtt_snapshot": "true"}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Reload(); err != nil {
			t.Fatal(err)
		}
	}})
	n := len(f.sub.All())
	f.bus.Publish(event.Event{Kind: event.MotionStart, Cause: "test"})
	on := f.waitAfter(n, base+"/motion", "ON")
	pic := f.waitAfter(n, base+"/motion/snapshot/image", "")
	if !bytes.Equal(pic.Payload, f.cam.JPEG()) {
		t.Errorf("motion snapshot: got %d bytes, want camtest's JPEG", len(pic.Payload))
	}
	if pic.Retained || on.Retained {
		t.Errorf("got retained flags %t, %t on a live subscription, want false", on.Retained, pic.Retained)
	}
	n = len(f.sub.All())
	f.bus.Publish(event.Event{Kind: event.MotionEnd})
	f.waitAfter(n, base+"/motion", "OFF")

	// ON/OFF is the binary sensor's state: retained, so a new subscriber sees it.
	late := mosquittotest.Subscribe(t, f.broker, "", "", base+"/motion")
	if m := late.Wait(t, mosquittotest.Topic(base+"/motion", nil), wait); string(m.Payload) != "OFF" || !m.Retained {
		t.Errorf("retained motion state: got %v, want OFF retained", m)
	}
}

func TestMotionEventsSurviveBrokerOutage(t *testing.T) {
	f := newFixture(t, setup{persistence: true})
	f.broker.Stop()
	for range 10 {
		f.bus.Publish(event.Event{Kind: event.MotionStart})
		f.bus.Publish(event.Event{Kind: event.MotionEnd})
	}
	// Poll until the bridge has spooled all 20 (it reads the bus on its own goroutine).
	deadline := time.Now().Add(wait)
	for f.b.conn.Load().Spooled() != 20 {
		if time.Now().After(deadline) {
			t.Fatalf("spooled: got %d, want 20", f.b.conn.Load().Spooled())
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := len(f.sub.All())
	f.broker.Restart()
	back := time.Now()
	f.waitAfter(n, base+"/availability", "online")
	if d := time.Since(back); d > 5*time.Second {
		t.Errorf("reconnected %v after the broker's return, want within 5s", d)
	}
	want := []string{}
	for range 10 {
		want = append(want, "ON", "OFF")
	}
	var got []string
	deadline = time.Now().Add(wait)
	for len(got) < len(want) && time.Now().Before(deadline) {
		got = got[:0]
		for _, m := range f.sub.All()[n:] {
			if m.Topic == base+"/motion" && !m.Retained { // retained copies come with the subscriber's re-subscribe
				got = append(got, string(m.Payload))
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != len(want) || !slices.Equal(got, want) {
		t.Errorf("motion messages after the outage:\ngot  %v\nwant %v", got, want)
	}
}

func TestAvailability(t *testing.T) {
	f := newFixture(t, setup{noStart: true})
	before := runtime.NumGoroutine()
	f.start() // waits for online
	f.stop()
	// Every goroutine of the bridge and its connection has ended.
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines after Run: got %d, want at most %d", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := mosquittotest.Subscribe(t, f.broker, "", "", base+"/availability")
	if m := s.Wait(t, mosquittotest.Topic(base+"/availability", nil), wait); string(m.Payload) != "offline" || !m.Retained {
		t.Errorf("availability after Run: got %v, want offline retained", m)
	}
}

func TestNewRefusesUnconfiguredBroker(t *testing.T) {
	cam := camtest.New()
	tests := []struct {
		name string
		cfg  func() conf.MQTT
	}{
		{"placeholder host", conf.DefaultMQTT},
		{"empty host", func() conf.MQTT { c := conf.DefaultMQTT(); c.Host = ""; return c }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{Config: tc.cfg(), Camera: cam, SpoolDir: t.TempDir()})
			if err == nil {
				t.Fatal("New: got nil error, want one naming HOST")
			}
			if !bytes.Contains([]byte(err.Error()), []byte("HOST")) {
				t.Errorf("New: got %q, want it to name HOST", err)
			}
		})
	}
}

// With publish_mqtt_video, a clip the motion actions announce goes to <T>/motion/video and the
// file is removed.
func TestMotionVideo(t *testing.T) {
	f := newFixture(t, setup{camera: func(c *camtest.Camera) {
		if _, err := conf.Apply(c.ConfigDir(), conf.Edits{conf.MotionFile: {"publish_mqtt_video": "true"}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Reload(); err != nil {
			t.Fatal(err)
		}
	}})
	clipFile := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(clipFile, []byte("an mp4 clip"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := len(f.sub.All())
	f.bus.Publish(event.Event{Kind: event.MotionClip, Time: time.Now(), Path: clipFile})
	f.waitAfter(n, base+"/motion/video", "an mp4 clip")
	deadline := time.Now().Add(wait)
	for {
		if _, err := os.Stat(clipFile); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clip file is still there after publishing")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
