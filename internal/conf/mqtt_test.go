package conf

import (
	"testing"
	"time"
)

func decodeMQTT(t *testing.T, src string) (m MQTT, errs, warns []string) {
	t.Helper()
	m = DefaultMQTT()
	errs, warns, _ = decodeFile(t, MQTTFile, src, m.decode)
	return m, errs, warns
}

func TestMQTTDecode(t *testing.T) {
	m, errs, _ := decodeMQTT(t, "HOST=broker.lan\nPORT=8883\nUSER=cam\nPASS='p w'\nLOCATION=garden\nDEVICE_NAME=shed\nTOPIC=\"$LOCATION/$DEVICE_NAME\"\n"+
		"AUTODISCOVERY_PREFIX=homeassistant\nSTATUSINTERVAL=60\nLIGHT_SENSOR=hw\n"+
		"MOSQUITTOOPTS=\"--cafile /etc/ca.pem --cert c.pem --key k.pem --insecure --tls-version tlsv1.3 -V mqttv31 -i cam1 -q 1\"\nMOSQUITTOPUBOPTS=\"-r\"\n")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := MQTT{Host: "broker.lan", Port: 8883, User: "cam", Pass: "p w", Location: "garden", DeviceName: "shed", Topic: "garden/shed",
		DiscoveryPrefix: "homeassistant", StatusInterval: time.Minute, LightSensor: "hw", CAFile: "/etc/ca.pem", CertFile: "c.pem", KeyFile: "k.pem",
		Insecure: true, TLSVersion: "tlsv1.3", Protocol: "mqttv31", ClientID: "cam1", QoS: 1, Retain: true}
	if m != want {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	if !m.TLS() || !m.Configured() {
		t.Errorf("got TLS %v configured %v, want both", m.TLS(), m.Configured())
	}
	if d := DefaultMQTT(); d.Configured() || d.Topic != "myhome/dafang" {
		t.Errorf("defaults: configured %v topic %q, want the placeholder host unconfigured and myhome/dafang", d.Configured(), d.Topic)
	}
}

func TestMQTTBadInput(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"MOSQUITTOOPTS=\"--cafile\"\n", `mqtt.conf:1: MOSQUITTOOPTS: --cafile needs a value`},
		{"MOSQUITTOOPTS=\"--psk abc\"\n", `mqtt.conf:1: MOSQUITTOOPTS: option "--psk" is not supported by freecam (it understands --cafile, --capath, --cert, --key, --insecure, --tls-version, -V, -i/--id and -q)`},
		{"MOSQUITTOOPTS=\"--tls-version tlsv1\"\n", `mqtt.conf:1: MOSQUITTOOPTS: --tls-version must be tlsv1.2 or tlsv1.3 (got "tlsv1"; older versions are not safe)`},
		{"MOSQUITTOOPTS=\"--cert c.pem --key k.pem\"\n", `mqtt.conf:1: MOSQUITTOOPTS: --cert needs --cafile or --capath (mosquitto uses TLS only with a CA)`},
		{"MOSQUITTOOPTS=\"-V 6\"\n", `mqtt.conf:1: MOSQUITTOOPTS: -V must be mqttv31, mqttv311 or mqttv5 (got "6")`},
		{"MOSQUITTOPUBOPTS=\"-r -x\"\n", `mqtt.conf:1: MOSQUITTOPUBOPTS: option "-x" is not supported by freecam (it understands -r and -q)`},
		{"TOPIC=a/#\n", `mqtt.conf:1: TOPIC: must be a topic without wildcards (+, #) or a leading or trailing / (got "a/#")`},
		{"DEVICE_NAME=a/b\n", `mqtt.conf:1: DEVICE_NAME: must be one topic level without /, + or # (got "a/b")`},
		{"LIGHT_SENSOR=yes\n", `mqtt.conf:1: LIGHT_SENSOR: must be false, hw or virtual (got "yes")`},
		{"PORT=0\n", `mqtt.conf:1: PORT: must be between 1 and 65535 (got "0")`},
	} {
		_, errs, _ := decodeMQTT(t, tc.src)
		if len(errs) != 1 || errs[0] != tc.want {
			t.Errorf("%q: got %q, want %q", tc.src, errs, tc.want)
		}
	}
	m, errs, warns := decodeMQTT(t, "MOSQUITTOOPTS=\"-V mqttv5\"\n")
	if len(errs) != 0 || len(warns) != 1 || m.Protocol != "mqttv311" {
		t.Errorf("-V mqttv5: got errors %v warnings %v protocol %s, want one warning and mqttv311", errs, warns, m.Protocol)
	}
}
