package mqtt

import (
	"encoding/json"
	"strings"

	"github.com/freecam/freecam/internal/mqtt/conn"
)

// entity is one Home Assistant entity announced by MQTT discovery.
type entity struct {
	component string // binary_sensor, switch, camera …
	suffix    string // unique_id = <device id>-<suffix>
	name      string
	present   bool           // the camera has it; an absent entity's config is cleared
	config    map[string]any // component keys, full names only
}

// entities lists every entity the bridge may announce, present or not.
func (b *Bridge) entities() []entity {
	cam := b.opts.Camera
	hw := cam.Hardware()
	st := cam.Status()
	abs := b.t.abs
	sw := func(suffix, name, state string, present bool) entity {
		return entity{"switch", suffix, name, present, map[string]any{"state_topic": abs(state), "command_topic": abs(state + "/set")}}
	}
	motorV := map[string]any{
		"position_topic": abs(topicMotorV), "command_topic": abs(topicMotorV + "/set"), "set_position_topic": abs(topicMotorV + "/set"),
		"payload_open": "up", "payload_close": "down", "position_open": hw.MotorLimits.Y, "position_closed": 0,
	}
	motorH := map[string]any{
		"position_topic": abs(topicMotorH), "command_topic": abs(topicMotorH + "/set"), "set_position_topic": abs(topicMotorH + "/set"),
		"payload_open": "right", "payload_close": "left", "position_open": hw.MotorLimits.X, "position_closed": 0,
	}
	light := b.opts.Config.LightSensor != "false"
	return []entity{
		// The firmware's entities (its hwvolume and swvolume numbers are left out: no audio).
		{"binary_sensor", "motion", "Motion Sensor", true, map[string]any{"state_topic": abs(topicMotion), "device_class": "motion"}},
		withIcon(sw("motion_detection", "Motion Detection", "motion/detection", true), "mdi:motion-sensor"),
		sw("motion_send_mail", "Motion Send Emails", "motion/send_mail", true),
		sw("motion_send_telegram", "Motion Send Telegram", "motion/send_telegram", true),
		{"camera", "motion_snapshot", "Motion Snapshot", true, map[string]any{"topic": abs(topicMotionImage)}},
		sw("motion_tracking", "Motion Tracking", "motion/tracking", hw.HasMotor),
		sw("blue_led", "Blue LED", topicBlueLED, hw.HasBlueLED),
		sw("yellow_led", "Yellow LED", topicYellowLED, hw.HasYellowLED),
		sw("ir_led", "IR LED", topicIRLED, hw.HasIRLED),
		sw("ir_cut", "IR Filter", topicIRCut, hw.HasIRCut),
		{"sensor", "light_sensor", "Light Sensor", light, map[string]any{"state_topic": abs(topicBrightness), "state_class": "measurement"}},
		sw("night_mode", "Night Mode", topicNight, true),
		sw("auto_night_mode", "Auto Night Detection", topicNightAuto, true),
		sw("rtsp_server", "RTSP Server", topicRTSP, true),
		{"cover", "motor_up_down", "Move up/down", hw.HasMotor, motorV},
		{"cover", "motor_left_right", "Move left/right", hw.HasMotor, motorH},
		sw("recording", "Recording", topicRecording, true),
		sw("timelapse", "Timelapse", topicTimelapse, true),
		// freecam's.
		{"camera", "snapshot", "Snapshot", true, map[string]any{"topic": abs(topicImage)}},
		{"sensor", "wifi_signal", "Wi-Fi Signal", st.WiFi != nil, map[string]any{"state_topic": abs(topicWiFiSignal),
			"device_class": "signal_strength", "unit_of_measurement": "dBm", "state_class": "measurement", "entity_category": "diagnostic"}},
		{"sensor", "uptime", "Started", !st.Started.IsZero(), map[string]any{"state_topic": abs(topicStarted),
			"device_class": "timestamp", "entity_category": "diagnostic"}},
		{"button", "restart", "Restart", true, map[string]any{"command_topic": abs("restart/set"), "payload_press": "PRESS",
			"device_class": "restart", "entity_category": "config"}},
		{"button", "take_snapshot", "Take Snapshot", true, map[string]any{"command_topic": abs(topicSnapshot + "/set"), "payload_press": "ON"}},
		{"button", "motor_calibrate", "Calibrate Motor", hw.HasMotor, map[string]any{"command_topic": abs("motors/set"),
			"payload_press": "calibrate", "entity_category": "config"}},
		{"select", "night_mode_select", "Day/Night Mode", true, map[string]any{"state_topic": abs(topicNightMode),
			"command_topic": abs(topicNightMode + "/set"), "options": []string{"auto", "day", "night"}}},
		{"update", "firmware", "Firmware", true, map[string]any{"state_topic": abs(topicUpdate), "command_topic": abs("update/set"),
			"payload_install": payloadInstall, "device_class": "firmware", "entity_category": "diagnostic"}},
	}
}

// payloadInstall is what Home Assistant's update entity sends on update/set to install.
const payloadInstall = "update"

func withIcon(e entity, icon string) entity {
	e.config["icon"] = icon
	return e
}

// discoveryTopic is <prefix>/<component>/<node>/<unique_id>/config.
func (b *Bridge) discoveryTopic(e entity) string {
	return strings.Join([]string{b.opts.Config.DiscoveryPrefix, e.component, b.node, b.uniqueID(e), "config"}, "/")
}

func (b *Bridge) uniqueID(e entity) string { return b.id + "-" + e.suffix }

// discoveryPayload is an entity's config with the keys every entity shares.
func (b *Bridge) discoveryPayload(e entity) []byte {
	cam := b.opts.Camera
	mac := strings.ToLower(cam.Status().MAC)
	dev := map[string]any{
		"identifiers":  []string{b.id},
		"name":         b.opts.Config.DeviceName,
		"manufacturer": "freecam",
		"model":        cam.Hardware().Board,
		"sw_version":   b.version(),
	}
	if mac != "" {
		dev["connections"] = [][2]string{{"mac", mac}}
	}
	if u := b.opts.WebURL; strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		dev["configuration_url"] = u
	}
	c := make(map[string]any, len(e.config)+5)
	for k, v := range e.config {
		c[k] = v
	}
	c["unique_id"] = b.uniqueID(e)
	c["name"] = e.name
	c["availability_topic"] = b.t.abs(topicAvail)
	c["device"] = dev
	c["origin"] = map[string]any{"name": "freecam", "sw_version": b.version()}
	out, _ := json.Marshal(c) // cannot fail: strings, numbers, lists and maps
	return out
}

// publishDiscovery announces every entity the camera has (retained) and clears the configs of
// those it lacks (an empty retained message deletes them in Home Assistant), so an entity does
// not outlive a change of board or LIGHT_SENSOR. Without a discovery prefix it does nothing.
func (b *Bridge) publishDiscovery() {
	if b.opts.Config.DiscoveryPrefix == "" {
		return
	}
	for _, e := range b.entities() {
		var payload []byte
		if e.present {
			payload = b.discoveryPayload(e)
		}
		b.pub.Publish(conn.Message{Topic: b.discoveryTopic(e), Payload: payload, QoS: 1, Retain: true})
	}
}
