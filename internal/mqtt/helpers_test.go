package mqtt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

const (
	base   = "home/cam"
	prefix = "homeassistant"
	wait   = 10 * time.Second
)

// fixture is a bridge on a real broker, a fake camera and a subscriber playing Home Assistant.
type fixture struct {
	t      *testing.T
	broker *mosquittotest.Broker
	cam    *camtest.Camera
	bus    *event.Bus
	sub    *mosquittotest.Sub
	opts   Options
	b      *Bridge
	stop   func()
}

type setup struct {
	persistence bool
	camera      func(*camtest.Camera) // changes before the bridge starts
	noStart     bool
}

func newFixture(t *testing.T, s setup) *fixture {
	t.Helper()
	broker := mosquittotest.Start(t, mosquittotest.Options{Persistence: s.persistence})
	cam, err := camtest.NewIn(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if s.camera != nil {
		s.camera(cam)
	}
	cfg := conf.DefaultMQTT()
	cfg.Host, cfg.Port, cfg.User, cfg.Pass = broker.Host, broker.Port, "", ""
	cfg.Location, cfg.DeviceName, cfg.Topic = "home", "cam", base
	cfg.DiscoveryPrefix = prefix
	cfg.StatusInterval = time.Hour
	cfg.LightSensor = "hw"
	f := &fixture{t: t, broker: broker, cam: cam, bus: &event.Bus{},
		sub: mosquittotest.Subscribe(t, broker, "", "", base, base+"/#", "home/set", prefix+"/#")}
	f.opts = Options{Config: cfg, Camera: cam, Bus: f.bus, Version: "1.2.3", WebURL: "https://cam.local:8443",
		SpoolDir: t.TempDir(), MinBackoff: 50 * time.Millisecond}
	if !s.noStart {
		f.start()
	}
	return f
}

// start runs a new bridge and waits until it has announced itself.
func (f *fixture) start() {
	t := f.t
	t.Helper()
	b, err := New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	b.announceJitter = 200 * time.Millisecond
	f.b = b
	n := len(f.sub.All())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	stopped := false
	f.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: got %v, want nil", err)
			}
		case <-time.After(wait):
			t.Errorf("Run did not return within %v of its context's end", wait)
		}
	}
	t.Cleanup(f.stop)
	f.waitAfter(n, base+"/availability", "online")
	f.waitAfter(n, base+"/snapshot/image", "") // the end of an announce
}

// waitAfter waits for a message on topic (with payload, unless payload is "") among the messages
// after the first n, and returns it.
func (f *fixture) waitAfter(n int, topic, payload string) mosquittotest.Message {
	f.t.Helper()
	return f.sub.Wait(f.t, after(n, func(m mosquittotest.Message) bool {
		return m.Topic == topic && (payload == "" || string(m.Payload) == payload)
	}), wait)
}

// after is a Wait predicate that skips the first n messages (Wait offers each message once, in
// order, from the first).
func after(n int, pred func(mosquittotest.Message) bool) func(mosquittotest.Message) bool {
	i := 0
	return func(m mosquittotest.Message) bool {
		i++
		return i > n && pred(m)
	}
}

// command publishes a command as Home Assistant does and returns the message count before it.
func (f *fixture) command(topic, payload string) int {
	f.t.Helper()
	n := len(f.sub.All())
	f.sub.Publish(topic, []byte(payload), false)
	return n
}

// discovery returns the non-empty discovery configs among msgs, by topic (the last one wins).
func discovery(t *testing.T, msgs []mosquittotest.Message) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range msgs {
		if !strings.HasPrefix(m.Topic, prefix+"/") || !strings.HasSuffix(m.Topic, "/config") {
			continue
		}
		if len(m.Payload) == 0 {
			delete(out, m.Topic)
			continue
		}
		var c map[string]any
		if err := json.Unmarshal(m.Payload, &c); err != nil {
			t.Errorf("%s: payload is not a JSON object: %v: %s", m.Topic, err, m.Payload)
			continue
		}
		out[m.Topic] = c
	}
	return out
}
