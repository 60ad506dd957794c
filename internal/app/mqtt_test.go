package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"
)

// The whole camera against a real mosquitto: the mqtt service starts from its autostart file,
// announces itself to Home Assistant, obeys a command, and a command that saves a motion setting
// (which reloads the camera) does not take the connection down.
func TestMQTTWithARealBroker(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{Users: map[string]string{"cam": "cam-secret"}})
	dir := writeConfig(t, map[string]string{
		"mqtt.conf": fmt.Sprintf("HOST=%s\nPORT=%d\nUSER=cam\nPASS=cam-secret\nLOCATION=home\nDEVICE_NAME=shed\nAUTODISCOVERY_PREFIX=homeassistant\nSTATUSINTERVAL=60\n",
			broker.Host, broker.Port),
	})
	// The firmware's way to start a service at boot: a file in config/autostart.
	for _, name := range []string{"rtsp", "auto-night", "mqtt"} {
		appendConf(t, dir, filepath.Join("autostart", name), "")
	}
	sub := mosquittotest.Subscribe(t, broker, "cam", "cam-secret", "home/shed/#", "homeassistant/#")
	r := startApp(t, dir, Options{})

	sub.Wait(t, mosquittotest.Topic("home/shed/availability", []byte("online")), 15*time.Second)
	sub.Wait(t, func(m mosquittotest.Message) bool {
		return strings.HasPrefix(m.Topic, "homeassistant/switch/") && strings.Contains(string(m.Payload), `"home/shed/leds/blue/set"`)
	}, 10*time.Second)

	// Home Assistant turns the blue LED on: the board does it and the state comes back.
	sub.Publish("home/shed/leds/blue/set", []byte("ON"), false)
	sub.Wait(t, mosquittotest.Topic("home/shed/leds/blue", []byte("ON")), 10*time.Second)
	if !r.app.hw.board.Device.State().BlueLED {
		t.Errorf("the blue LED is off after leds/blue/set ON")
	}

	// Turning motion detection off rewrites motion.conf and reloads the camera; the MQTT
	// connection stays up through it.
	before := len(sub.All())
	sub.Publish("home/shed/motion/detection/set", []byte("OFF"), false)
	sub.Wait(t, mosquittotest.Topic("home/shed/motion/detection", []byte("OFF")), 20*time.Second)
	cfg, _, err := conf.Load(dir)
	if err != nil || cfg.Motion.Detection {
		t.Errorf("motion.conf after motion/detection/set OFF: detection %v (err %v), want off", cfg != nil && cfg.Motion.Detection, err)
	}
	for _, m := range sub.All()[before:] {
		if m.Topic == "home/shed/availability" && string(m.Payload) == "offline" {
			t.Errorf("the camera went offline on MQTT during the reload a command caused")
		}
	}

	// A stop from the services: a clean offline, retained.
	if err := r.app.ServiceControl(t.Context(), "mqtt", "stop"); err != nil {
		t.Fatalf("stop mqtt: %v\nlogs:\n%s", err, r.logs)
	}
	sub.Wait(t, mosquittotest.Topic("home/shed/availability", []byte("offline")), 10*time.Second)
}
