package mqtt

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// State topics, relative to <TOPIC>/ ("" is <TOPIC> itself, the status JSON). They are the
// firmware's, plus freecam's night_mode/mode, update/state, wifi/signal and started.
const (
	topicStatus      = ""
	topicBlueLED     = "leds/blue"
	topicYellowLED   = "leds/yellow"
	topicIRLED       = "leds/ir"
	topicIRCut       = "ir_cut"
	topicBrightness  = "brightness"
	topicRTSP        = "rtsp_server"
	topicNight       = "night_mode"
	topicNightAuto   = "night_mode/auto"
	topicNightMode   = "night_mode/mode"
	topicRecording   = "recording"
	topicTimelapse   = "timelapse"
	topicMotorV      = "motors/vertical"
	topicMotorH      = "motors/horizontal"
	topicUpdate      = "update/state"
	topicWiFiSignal  = "wifi/signal"
	topicStarted     = "started"
	topicMotion      = "motion"
	topicMotionImage = "motion/snapshot/image"
	topicMotionVideo = "motion/video"
	topicSnapshot    = "snapshot"
	topicImage       = "snapshot/image"
	topicError       = "error"
	topicHelp        = "help"
	topicReboot      = "reboot"
	topicAvail       = "availability"
)

// topics holds the absolute topic names of one configuration.
type topics struct {
	base     string // <TOPIC>
	location string // <LOCATION>/set
	birth    string // <prefix>/status, "" without discovery
}

// abs returns the absolute topic of a relative one ("" is the base itself).
func (t topics) abs(rel string) string {
	if rel == "" {
		return t.base
	}
	return t.base + "/" + rel
}

// rel returns topic relative to the base and whether it is under it. The base itself is "",
// true; "<TOPIC>/" (the firmware's status reply) is "/", true.
func (t topics) rel(topic string) (string, bool) {
	if topic == t.base {
		return "", true
	}
	if rest, ok := strings.CutPrefix(topic, t.base+"/"); ok {
		if rest == "" {
			return "/", true
		}
		return rest, true
	}
	return "", false
}

// deviceID is the stable identity of the camera for Home Assistant: the MAC without colons, in
// lower case, or (without a MAC) a hash of the config dir, which does not change across restarts.
func deviceID(mac, configDir string) string {
	if id := strings.ToLower(strings.ReplaceAll(mac, ":", "")); id != "" && id != "000000000000" {
		return id
	}
	abs, err := filepath.Abs(configDir)
	if err != nil {
		abs = configDir
	}
	sum := sha256.Sum256([]byte("freecam " + abs))
	return "fc" + hex.EncodeToString(sum[:5])
}

// nodeID is the discovery topic's node level: the device name reduced to [a-zA-Z0-9_-] and the
// last six characters of the device id, so two cameras with one name do not collide.
func nodeID(deviceName, id string) string {
	var b strings.Builder
	for _, r := range deviceName {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		b.WriteString("freecam")
	}
	return b.String() + "_" + id[max(0, len(id)-6):]
}
