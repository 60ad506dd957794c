package mqtt

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

// haUpdate is the update entity's JSON state as Home Assistant reads it (mqtt/update.py).
type haUpdate struct {
	Installed  string `json:"installed_version"`
	Latest     string `json:"latest_version"`
	Title      string `json:"title"`
	Summary    string `json:"release_summary"`
	InProgress bool   `json:"in_progress"`
	Percentage *int   `json:"update_percentage"`
}

// waitUpdate waits, among the messages after the first n, for an update state that pred accepts.
func (f *fixture) waitUpdate(n int, what string, pred func(haUpdate, map[string]json.RawMessage) bool) haUpdate {
	f.t.Helper()
	var got haUpdate
	f.sub.Wait(f.t, after(n, func(m mosquittotest.Message) bool {
		if m.Topic != base+"/update/state" {
			return false
		}
		var u haUpdate
		var raw map[string]json.RawMessage
		if json.Unmarshal(m.Payload, &u) != nil || json.Unmarshal(m.Payload, &raw) != nil {
			f.t.Errorf("update/state is not JSON: %s", m.Payload)
			return false
		}
		got = u
		return pred(u, raw)
	}), wait)
	return got
}

func TestUpdateEntity(t *testing.T) {
	f := newFixture(t, setup{})

	var c map[string]any
	for topic, cfg := range discovery(t, f.sub.All()) {
		if strings.HasPrefix(topic, prefix+"/update/") && strings.HasSuffix(topic, "-firmware/config") {
			c = cfg
		}
	}
	for k, want := range map[string]any{"state_topic": base + "/update/state", "command_topic": base + "/update/set",
		"payload_install": "update", "device_class": "firmware"} {
		if c[k] != want {
			t.Errorf("update entity config %s: got %v, want %v (config %v)", k, c[k], want, c)
		}
	}

	// Nothing checked yet: up to date, no progress (update_percentage present and null).
	f.waitUpdate(0, "the first state", func(u haUpdate, raw map[string]json.RawMessage) bool {
		if u.Installed != "1.2.3" || u.Latest != "1.2.3" || u.InProgress || string(raw["update_percentage"]) != "null" {
			t.Errorf("first update state: got %+v (update_percentage %s), want 1.2.3 installed and latest, not in progress, null percentage",
				u, raw["update_percentage"])
		}
		return true
	})

	// A check found 1.3.0.
	n := len(f.sub.All())
	f.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.2.3", Latest: "1.3.0", Available: true, Notes: "sharper night pictures"})
	f.waitUpdate(n, "1.3.0 available", func(u haUpdate, _ map[string]json.RawMessage) bool {
		return u.Latest == "1.3.0" && u.Summary == "sharper night pictures" && u.Installed == "1.2.3" && !u.InProgress
	})

	// Home Assistant's install button.
	n = f.command(base+"/update/set", "update")
	f.waitUpdate(n, "the install started", func(u haUpdate, _ map[string]json.RawMessage) bool {
		return u.InProgress && u.Percentage != nil && *u.Percentage == 0
	})
	if calls := f.cam.Calls(); !slices.Contains(calls, "UpdateApply") {
		t.Errorf("calls: got %v, want UpdateApply", calls)
	}

	// The download moves on: the percentage follows within the bridge's second.
	n = len(f.sub.All())
	st := f.cam.Update()
	st.Percentage = 40
	f.cam.SetUpdate(st)
	got := f.waitUpdate(n, "40 %", func(u haUpdate, _ map[string]json.RawMessage) bool {
		return u.Percentage != nil && *u.Percentage == 40
	})
	if !got.InProgress || got.Latest != "1.3.0" {
		t.Errorf("during the install: got %+v, want in progress towards 1.3.0", got)
	}

	// A refused install (one already runs) is reported on <TOPIC>/error.
	n = f.command(base+"/update/set", "update")
	m := f.sub.Wait(t, after(n, func(m mosquittotest.Message) bool { return m.Topic == base+"/error" }), wait)
	if want := "update/set: an update is already being installed"; string(m.Payload) != want {
		t.Errorf("error: got %q, want %q", m.Payload, want)
	}
}

func TestUpdateSummaryIsClipped(t *testing.T) {
	long := strings.Repeat("é", 300)
	f := newFixture(t, setup{camera: func(c *camtest.Camera) {
		c.SetUpdate(camera.UpdateState{Configured: true, Latest: "9.0.0", Available: true, Notes: long})
	}})
	u := f.waitUpdate(0, "the state", func(u haUpdate, _ map[string]json.RawMessage) bool { return u.Latest == "9.0.0" })
	if n := len([]rune(u.Summary)); n != maxReleaseSummary {
		t.Errorf("release_summary: got %d characters, want %d", n, maxReleaseSummary)
	}
}
