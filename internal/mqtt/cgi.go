package mqtt

import "strings"

// cgiCommand is an action.cgi command name mapped to a command topic and payload.
type cgiCommand struct {
	topic   string // relative command topic
	payload string
}

// cgiCommands maps the firmware's action.cgi names that make sense over MQTT (<TOPIC>/set
// blue_led_on …) to the bridge's own commands.
func cgiCommands() map[string]cgiCommand {
	m := map[string]cgiCommand{
		"night_mode_on":         {"night_mode/set", "ON"},
		"night_mode_off":        {"night_mode/set", "OFF"},
		"auto_night_mode_start": {"night_mode/auto/set", "ON"},
		"auto_night_mode_stop":  {"night_mode/auto/set", "OFF"},
		"rtsp_start":            {"rtsp_server/set", "ON"},
		"rtsp_stop":             {"rtsp_server/set", "OFF"},
		"h264_start":            {"rtsp_server/set", "ON"},
		"h264_stop":             {"rtsp_server/set", "OFF"},
		"motor_up":              {"motors/vertical/set", "up"},
		"motor_down":            {"motors/vertical/set", "down"},
		"motor_left":            {"motors/horizontal/set", "left"},
		"motor_right":           {"motors/horizontal/set", "right"},
		"motor_calibrate":       {"motors/set", "calibrate"},
		"snapshot":              {"snapshot/set", "ON"},
		"reboot":                {"reboot/set", "ON"},
	}
	for _, sw := range []struct{ name, topic string }{
		{"blue_led", topicBlueLED}, {"yellow_led", topicYellowLED}, {"ir_led", topicIRLED}, {"ir_cut", topicIRCut},
	} {
		m[sw.name+"_on"] = cgiCommand{sw.topic + "/set", "ON"}
		m[sw.name+"_off"] = cgiCommand{sw.topic + "/set", "OFF"}
	}
	flags := []string{"motion/detection"}
	for _, f := range motionFlags() {
		flags = append(flags, f.topic)
	}
	for _, f := range flags { // motion_detection_on, motion_send_mail_off …
		name := strings.ReplaceAll(f, "/", "_")
		m[name+"_on"] = cgiCommand{f + "/set", "ON"}
		m[name+"_off"] = cgiCommand{f + "/set", "OFF"}
	}
	return m
}
