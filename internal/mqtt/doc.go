// Package mqtt is freecam's MQTT bridge: it publishes the camera's states under the firmware's
// topics (<TOPIC>/leds/blue, <TOPIC>/night_mode …, the status JSON on <TOPIC>), answers the
// firmware's MQTT commands (<TOPIC>/…/set), reports motion events durably, and announces the
// camera to Home Assistant (MQTT discovery, availability, birth-message re-announce).
//
// It replaces the firmware's mosquitto_pub/mosquitto_sub shell loops. It talks to the camera only
// through camera.Camera and listens to the event bus; the broker connection itself (reconnects,
// TLS, the on-disk spool) is internal/mqtt/conn's job. It must not touch hardware or config files
// except through camera.Camera and conf.Apply.
package mqtt
