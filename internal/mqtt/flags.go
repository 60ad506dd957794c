package mqtt

import "github.com/freecam/freecam/internal/conf"

// motionFlag is one of motion.conf's on/off switches that MQTT reports under motion/ and sets
// with motion/…/set. motion/detection is not one: it is the motion service running.
type motionFlag struct {
	topic string // state topic, relative
	key   string // motion.conf key
	get   func(conf.Motion) bool
}

// motionFlags lists them in the firmware's order.
func motionFlags() []motionFlag {
	return []motionFlag{
		{"motion/led", "motion_trigger_led", func(m conf.Motion) bool { return m.Actions.TriggerLED }},
		{"motion/snapshot", "save_snapshot", func(m conf.Motion) bool { return m.Actions.SaveSnapshot }},
		{"motion/video", "save_video", func(m conf.Motion) bool { return m.Actions.SaveVideo }},
		{"motion/mqtt_publish", "publish_mqtt_message", func(m conf.Motion) bool { return m.Actions.MQTTMessage }},
		{"motion/mqtt_snapshot", "publish_mqtt_snapshot", func(m conf.Motion) bool { return m.Actions.MQTTSnapshot }},
		{"motion/send_mail", "send_email", func(m conf.Motion) bool { return m.Actions.SendEmail }},
		{"motion/send_telegram", "send_telegram", func(m conf.Motion) bool { return m.Actions.SendTelegram }},
		{"motion/tracking", "motion_tracking", func(m conf.Motion) bool { return m.Tracking }},
	}
}
