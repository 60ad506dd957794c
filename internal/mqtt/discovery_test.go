package mqtt

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

// discoveryTopicRE is Home Assistant's discovery topic pattern (mqtt/discovery.py) under our prefix.
var discoveryTopicRE = regexp.MustCompile(`^homeassistant/(\w+)/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)/config$`)

// requiredKeys is reference §1.7's table: the keys each component needs.
var requiredKeys = map[string][]string{
	"camera":        {"topic"},
	"binary_sensor": {"state_topic"},
	"switch":        {"command_topic"},
	"select":        {"command_topic", "options"},
	"button":        {"command_topic"},
	"sensor":        {"state_topic"},
	"update":        {"state_topic", "payload_install"},
	"cover":         {},
}

// abbreviations are the docs' short keys that differ from a full name (reference §1.6).
var abbreviations = strings.Fields(`avty_t pl_avail pl_not_avail avty avty_mode cmd_t cmd_tpl stat_t val_tpl json_attr_t
	json_attr_tpl uniq_id dev_cla unit_of_meas stat_cla sug_dsp_prc exp_aft frc_upd off_dly ent_cat en ic ent_pic pl_on pl_off
	stat_on stat_off opt ret ops pl_prs pl_rst l_ver_t l_ver_tpl pl_inst rel_s rel_u tit t pl atype stype evt_typ img_t img_e
	url_t url_tpl cont_type e o dev p cmps migr_discvry ids cns mf mdl mdl_id sw hw sn sa cu pos_t set_pos_t pos_open pos_clsd`)

// allSuffixes are the unique_id suffixes of a camera with every part, Wi-Fi and a light sensor.
var allSuffixes = []string{
	"auto_night_mode", "blue_led", "firmware", "ir_cut", "ir_led", "light_sensor", "motion", "motion_detection",
	"motion_send_mail", "motion_send_telegram", "motion_snapshot", "motion_tracking", "motor_calibrate", "motor_left_right",
	"motor_up_down", "night_mode", "night_mode_select", "recording", "restart", "rtsp_server", "snapshot", "take_snapshot",
	"timelapse", "uptime", "wifi_signal", "yellow_led",
}

// waitDiscovery waits until msgs() holds n discovery configs (a loaded machine delivers the
// announce over a moment) and returns them.
func waitDiscovery(t *testing.T, msgs func() []mosquittotest.Message, n int) map[string]map[string]any {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		configs := discovery(t, msgs())
		if len(configs) >= n || time.Now().After(deadline) {
			return configs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDiscoveryFollowsHomeAssistantRules(t *testing.T) {
	f := newFixture(t, setup{})
	configs := waitDiscovery(t, f.sub.All, len(allSuffixes))
	const id = "02005e102030" // camtest's MAC
	var suffixes []string
	seen := map[string]string{}
	for topic, c := range configs {
		m := discoveryTopicRE.FindStringSubmatch(topic)
		if m == nil {
			t.Errorf("%s: topic does not match Home Assistant's discovery pattern", topic)
			continue
		}
		component, object := m[1], m[3]
		uid, _ := c["unique_id"].(string)
		if uid != object {
			t.Errorf("%s: unique_id got %q, want the topic's object id %q", topic, uid, object)
		}
		if prev, dup := seen[uid]; dup {
			t.Errorf("unique_id %q used by %s and %s", uid, prev, topic)
		}
		seen[uid] = topic
		s, ok := strings.CutPrefix(uid, id+"-")
		if !ok {
			t.Errorf("%s: unique_id got %q, want %s-<suffix>", topic, uid, id)
		}
		suffixes = append(suffixes, s)
		need, known := requiredKeys[component]
		if !known {
			t.Errorf("%s: component %q is not one freecam announces", topic, component)
		}
		for _, k := range append([]string{"unique_id", "name", "availability_topic", "device", "origin"}, need...) {
			if _, ok := c[k]; !ok {
				t.Errorf("%s: missing required key %q", topic, k)
			}
		}
		for k, v := range c {
			if slices.Contains(abbreviations, k) {
				t.Errorf("%s: abbreviated key %q (freecam uses full names)", topic, k)
			}
			if strings.HasSuffix(k, "_topic") || k == "topic" {
				if s, _ := v.(string); !strings.HasPrefix(s, base+"/") {
					t.Errorf("%s: %s got %q, want a topic under %s/", topic, k, s, base)
				}
			}
		}
		if got := c["availability_topic"]; got != base+"/availability" {
			t.Errorf("%s: availability_topic got %v, want %s/availability", topic, got, base)
		}
		dev, _ := c["device"].(map[string]any)
		for k := range dev {
			if slices.Contains(abbreviations, k) {
				t.Errorf("%s: device: abbreviated key %q", topic, k)
			}
		}
		if ids, _ := dev["identifiers"].([]any); len(ids) != 1 || ids[0] != id {
			t.Errorf("%s: device identifiers got %v, want [%s]", topic, dev["identifiers"], id)
		}
		if cns, _ := dev["connections"].([]any); len(cns) != 1 || !slices.Equal(toStrings(cns[0]), []string{"mac", "02:00:5e:10:20:30"}) {
			t.Errorf("%s: device connections got %v, want [[mac 02:00:5e:10:20:30]]", topic, dev["connections"])
		}
		for k, want := range map[string]any{"name": "cam", "manufacturer": "freecam", "model": "camtest", "sw_version": "1.2.3",
			"configuration_url": "https://cam.local:8443"} {
			if dev[k] != want {
				t.Errorf("%s: device %s got %v, want %v", topic, k, dev[k], want)
			}
		}
		if o, _ := c["origin"].(map[string]any); o["name"] != "freecam" || o["sw_version"] != "1.2.3" {
			t.Errorf("%s: origin got %v, want name freecam, sw_version 1.2.3", topic, c["origin"])
		}
		if component == "select" && !slices.Equal(toStrings(c["options"]), []string{"auto", "day", "night"}) {
			t.Errorf("%s: options got %v, want [auto day night]", topic, c["options"])
		}
		if component == "update" && (c["device_class"] != "firmware" || c["payload_install"] != "update") {
			t.Errorf("%s: got device_class %v payload_install %v, want firmware and update", topic, c["device_class"], c["payload_install"])
		}
	}
	slices.Sort(suffixes)
	if !slices.Equal(suffixes, allSuffixes) {
		t.Errorf("entities:\ngot  %v\nwant %v", suffixes, allSuffixes)
	}

	// A second run announces the same topics and unique_ids.
	first := topicsToIDs(configs)
	f.stop()
	n := len(f.sub.All())
	f.start()
	second := topicsToIDs(waitDiscovery(t, func() []mosquittotest.Message { return f.sub.All()[n:] }, len(first)))
	if !maps.Equal(first, second) {
		t.Errorf("second run's discovery:\ngot  %v\nwant %v", second, first)
	}
}

func TestDiscoveryLeavesOutMissingParts(t *testing.T) {
	f := newFixture(t, setup{camera: func(c *camtest.Camera) {
		hw := c.Hardware()
		hw.HasMotor, hw.HasYellowLED = false, false
		c.SetHardware(hw)
		st := c.Status()
		st.WiFi = nil
		c.SetStatus(st)
	}})
	var want []string
	gone := []string{"motion_tracking", "motor_calibrate", "motor_left_right", "motor_up_down", "wifi_signal", "yellow_led"}
	for _, s := range allSuffixes {
		if !slices.Contains(gone, s) {
			want = append(want, s)
		}
	}
	configs := waitDiscovery(t, f.sub.All, len(want))
	var got []string
	for _, c := range configs {
		got = append(got, strings.TrimPrefix(c["unique_id"].(string), "02005e102030-"))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("entities:\ngot  %v\nwant %v", got, want)
	}
	// Their configs are cleared (an empty retained message), so an entity announced before
	// disappears from Home Assistant.
	countCleared := func() int {
		n := 0
		for _, m := range f.sub.All() {
			if strings.HasPrefix(m.Topic, prefix+"/") && len(m.Payload) == 0 {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(wait)
	cleared := countCleared()
	for cleared < len(gone) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		cleared = countCleared()
	}
	if cleared != len(gone) {
		t.Errorf("cleared configs: got %d, want %d", cleared, len(gone))
	}
	// No motor: its states are not published and its commands answer with an error.
	for _, m := range f.sub.All() {
		if strings.HasPrefix(m.Topic, base+"/motors/") || m.Topic == base+"/leds/yellow" {
			t.Errorf("got a state the camera cannot have: %v", m)
		}
	}
	n := f.command(base+"/motors/set", "calibrate")
	f.waitAfter(n, base+"/error", "motors/set: this camera has no motor")
}

func TestBirthMessageReannounces(t *testing.T) {
	f := newFixture(t, setup{})
	want := len(waitDiscovery(t, f.sub.All, len(allSuffixes)))
	since := func(n int) func() []mosquittotest.Message {
		return func() []mosquittotest.Message { return f.sub.All()[n:] }
	}
	// announced counts the configs published in msgs. The end of an announce cannot be told by
	// its picture: a QoS 0 message may overtake QoS 1 configs the broker still queues for a slow
	// subscriber. So the test waits for every config, then for longer than a second, jittered
	// announce would take to start, and counts.
	announced := func(n int) int {
		waitDiscovery(t, since(n), want)
		time.Sleep(f.b.announceJitter + 100*time.Millisecond)
		c := 0
		for _, m := range f.sub.All()[n:] {
			if strings.HasPrefix(m.Topic, prefix+"/") && strings.HasSuffix(m.Topic, "/config") && len(m.Payload) > 0 {
				c++
			}
		}
		return c
	}
	n := f.command(prefix+"/status", "online")
	if got := announced(n); got != want {
		t.Errorf("configs re-published after the birth message: got %d, want %d", got, want)
	}
	// "offline" is not a birth message; announce on <LOCATION>/set is the firmware's request.
	n = f.command(prefix+"/status", "offline")
	f.command("home/set", "announce")
	if got := announced(n); got != want {
		t.Errorf("configs after offline and announce: got %d, want %d (one announce)", got, want)
	}
}

func topicsToIDs(configs map[string]map[string]any) map[string]string {
	out := map[string]string{}
	for topic, c := range configs {
		out[topic], _ = c["unique_id"].(string)
	}
	return out
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
