package mqtt

import (
	"context"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

func TestEventsPublishOnlyChangedStates(t *testing.T) {
	f := newFixture(t, setup{})
	// Someone else (the web UI) switches the yellow LED; the bus says the hardware changed.
	if err := f.cam.SetSwitch(context.Background(), camera.YellowLED, true); err != nil {
		t.Fatal(err)
	}
	n := len(f.sub.All())
	f.bus.Publish(event.Event{Kind: event.Hardware})
	f.waitAfter(n, base+"/leds/yellow", "ON")
	// A marker command after the event: everything the event published is before its reply.
	m := f.command(base+"/set", "status")
	f.waitAfter(m, base+"/", "")
	for _, msg := range f.sub.All()[n:] {
		if msg.Topic == base+"/leds/blue" || msg.Topic == base+"/night_mode" || msg.Topic == base+"/motors/vertical" {
			t.Errorf("unchanged state re-published after the event: %v", msg)
		}
	}
}

func TestStatusIntervalRepublishesEverything(t *testing.T) {
	f := newFixture(t, setup{noStart: true})
	f.opts.Config.StatusInterval = 300 * time.Millisecond
	f.start()
	n := len(f.sub.All())
	for _, topic := range []string{"/leds/blue", "/night_mode", "/motors/vertical", "/snapshot/image", ""} {
		f.sub.Wait(t, after(n, mosquittotest.Topic(base+topic, nil)), wait)
	}
	if m := f.waitAfter(n, base+"/leds/blue", ""); string(m.Payload) != "ON" {
		t.Errorf("leds/blue: got %q, want ON", m.Payload)
	}
}
