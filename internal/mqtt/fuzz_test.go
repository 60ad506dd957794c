package mqtt

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/mqtt/conn"
)

// recorder is a publisher that keeps what was published.
type recorder struct {
	mu   sync.Mutex
	msgs []conn.Message
}

func (r *recorder) Publish(m conn.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func (r *recorder) PublishDurable(m conn.Message) error {
	r.Publish(m)
	return nil
}

// offline returns a bridge on camtest that publishes into a recorder, without a broker.
func offline(tb testing.TB) (*Bridge, *recorder) {
	tb.Helper()
	cam, err := camtest.NewIn(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	cfg := conf.DefaultMQTT()
	cfg.Host, cfg.Location, cfg.DeviceName, cfg.Topic, cfg.DiscoveryPrefix = "broker", "home", "cam", base, prefix
	cfg.LightSensor = "hw"
	b, err := New(Options{Config: cfg, Camera: cam, SpoolDir: tb.TempDir(), Version: "1"})
	if err != nil {
		tb.Fatal(err)
	}
	r := &recorder{}
	b.pub = r
	return b, r
}

// FuzzHandle feeds arbitrary topics and payloads to the command handler: it must not panic, and
// whatever it publishes stays under <TOPIC>/ or the discovery prefix.
func FuzzHandle(f *testing.F) {
	for _, s := range [][2]string{
		{base + "/leds/blue/set", "ON"}, {base + "/leds/blue/set", "maybe"}, {base + "/motors/vertical/set", "-1"},
		{base + "/motors/horizontal/set", "99999999999999999999"}, {base + "/set", "help"}, {base + "/set", "motor_left"},
		{base + "/night_mode/mode/set", "auto"}, {base + "/snapshot/image", "GET"}, {base + "/leds/ir", ""},
		{base + "//set", "\x00"}, {base, ""}, {"home/set", "announce"}, {prefix + "/status", "online"}, {base + "/", "x"},
		{base + "/motion/detection/set", "ON"}, {base + "/set", "status"}, {base + "/restart/set", "PRESS"},
	} {
		f.Add(s[0], s[1])
	}
	b, r := offline(f)
	f.Fuzz(func(t *testing.T, topic, payload string) {
		r.mu.Lock()
		r.msgs = r.msgs[:0]
		r.mu.Unlock()
		b.handle(context.Background(), topic, []byte(payload))
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, m := range r.msgs {
			if !strings.HasPrefix(m.Topic, base+"/") && m.Topic != base && !strings.HasPrefix(m.Topic, prefix+"/") {
				t.Errorf("published on %q, want a topic under %s/ or %s/", m.Topic, base, prefix)
			}
		}
	})
}

func BenchmarkPublishStates(b *testing.B) {
	br, r := offline(b)
	b.ReportAllocs()
	for b.Loop() {
		br.publishStates(false)
		r.mu.Lock()
		r.msgs = r.msgs[:0]
		r.mu.Unlock()
	}
}

func BenchmarkDiscovery(b *testing.B) {
	br, r := offline(b)
	b.ReportAllocs()
	for b.Loop() {
		br.publishDiscovery()
		r.mu.Lock()
		r.msgs = r.msgs[:0]
		r.mu.Unlock()
	}
}
