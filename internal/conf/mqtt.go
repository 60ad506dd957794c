package conf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MQTTFile is the firmware's MQTT config.
const MQTTFile = "mqtt.conf"

// MQTT is mqtt.conf: the broker, the topics and the mosquitto client options the firmware passed
// to mosquitto_pub and mosquitto_sub, which freecam reads instead of running them.
type MQTT struct {
	// Host and Port are HOST and PORT; the dist file's placeholder "mqtt-host" means not set up.
	Host string
	Port int
	// User and Pass are USER and PASS; an empty User connects without credentials.
	User string
	Pass Secret
	// Location and DeviceName are LOCATION and DEVICE_NAME; Topic is TOPIC, by default
	// "$LOCATION/$DEVICE_NAME" (expanded when the file is read).
	Location   string
	DeviceName string
	Topic      string
	// DiscoveryPrefix is AUTODISCOVERY_PREFIX; empty means no Home Assistant discovery.
	DiscoveryPrefix string
	// StatusInterval is STATUSINTERVAL: how often the status and every state is re-published;
	// default 30 s.
	StatusInterval time.Duration
	// LightSensor is LIGHT_SENSOR: "false" (no brightness topic), "hw" or "virtual".
	LightSensor string

	// From MOSQUITTOOPTS.
	CAFile     string // --cafile: TLS, checking the broker against this CA
	CAPath     string // --capath: TLS, checking against the CAs in this directory
	CertFile   string // --cert: client certificate
	KeyFile    string // --key: its key
	Insecure   bool   // --insecure: do not check the broker's host name
	TLSVersion string // --tls-version: "tlsv1.2" or "tlsv1.3"; empty means 1.2 or newer
	Protocol   string // -V: "mqttv311" (default) or "mqttv31"
	ClientID   string // -i/--id; empty means "freecam-<DEVICE_NAME>"
	QoS        int    // -q: QoS of state messages; default 0. Events always go with QoS 1.
	// Retain is MOSQUITTOPUBOPTS -r: the firmware retained nothing unless asked. freecam always
	// retains state topics and the availability topic (Home Assistant's rules); -r is accepted.
	Retain bool
}

// TLS reports whether the broker is reached over TLS (mosquitto's rule: a CA was given).
func (m MQTT) TLS() bool { return m.CAFile != "" || m.CAPath != "" }

// Configured reports whether a broker was set (not the dist file's placeholder).
func (m MQTT) Configured() bool { return m.Host != "" && m.Host != "mqtt-host" }

// DefaultMQTT returns mqtt.conf's defaults.
func DefaultMQTT() MQTT {
	return MQTT{Host: "mqtt-host", Port: 1883, User: "mqtt-user", Pass: "mqtt-password", Location: "myhome", DeviceName: "dafang", Topic: "myhome/dafang",
		StatusInterval: 30 * time.Second, LightSensor: "false", Protocol: "mqttv311"}
}

func (m *MQTT) decode(r *reader) {
	if s, _, ok := r.str("HOST"); ok {
		m.Host = strings.TrimSpace(s)
	}
	r.int(&m.Port, "PORT", 1, 65535, "")
	if s, _, ok := r.str("USER"); ok {
		m.User = s
	}
	if s, _, ok := r.str("PASS"); ok {
		m.Pass = Secret(s)
	}
	m.Location = mqttName(r, "LOCATION", m.Location)
	m.DeviceName = mqttName(r, "DEVICE_NAME", m.DeviceName)
	m.Topic = m.Location + "/" + m.DeviceName
	if s, line, ok := r.str("TOPIC"); ok {
		if strings.ContainsAny(s, "+#\x00") || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") {
			r.fail(line, "TOPIC", "must be a topic without wildcards (+, #) or a leading or trailing / (got %q)", s)
		} else {
			m.Topic = s
		}
	}
	if s, line, ok := r.str("AUTODISCOVERY_PREFIX"); ok {
		if strings.ContainsAny(s, "+#/ \x00") {
			r.fail(line, "AUTODISCOVERY_PREFIX", "must be one topic level such as homeassistant (got %q)", s)
		} else {
			m.DiscoveryPrefix = s
		}
	}
	r.seconds(&m.StatusInterval, "STATUSINTERVAL", false, 86400)
	if s, line, ok := r.str("LIGHT_SENSOR"); ok {
		switch v := strings.ToLower(strings.TrimSpace(s)); v {
		case "false", "hw", "virtual":
			m.LightSensor = v
		default:
			r.fail(line, "LIGHT_SENSOR", "must be false, hw or virtual (got %q)", s)
		}
	}
	m.clientOpts(r)
	m.pubOpts(r)
}

// mqttName reads LOCATION or DEVICE_NAME: one topic level.
func mqttName(r *reader, key, def string) string {
	s, line, ok := r.str(key)
	if !ok {
		return def
	}
	if strings.ContainsAny(s, "+#/\x00") {
		r.fail(line, key, "must be one topic level without /, + or # (got %q)", s)
		return def
	}
	return s
}

// clientOpts reads MOSQUITTOOPTS. The firmware pasted it unquoted into mosquitto_pub and
// mosquitto_sub command lines, so it is split on blanks as sh did.
func (m *MQTT) clientOpts(r *reader) {
	const key = "MOSQUITTOOPTS"
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	args := strings.Fields(s)
	for i := 0; i < len(args); i++ {
		opt := args[i]
		value := func() (string, bool) {
			if i+1 >= len(args) {
				r.fail(line, key, "%s needs a value", opt)
				return "", false
			}
			i++
			return args[i], true
		}
		switch opt {
		case "--cafile":
			m.CAFile, _ = value()
		case "--capath":
			m.CAPath, _ = value()
		case "--cert":
			m.CertFile, _ = value()
		case "--key":
			m.KeyFile, _ = value()
		case "--insecure":
			m.Insecure = true
		case "--tls-version":
			if v, ok := value(); ok {
				if v != "tlsv1.2" && v != "tlsv1.3" {
					r.fail(line, key, "--tls-version must be tlsv1.2 or tlsv1.3 (got %q; older versions are not safe)", v)
				} else {
					m.TLSVersion = v
				}
			}
		case "-V", "--protocol-version":
			if v, ok := value(); ok {
				switch v {
				case "mqttv311", "311":
					m.Protocol = "mqttv311"
				case "mqttv31", "31":
					m.Protocol = "mqttv31"
				case "mqttv5", "5":
					r.warn(line, key, "-V mqttv5: freecam speaks MQTT 3.1.1, which every broker and Home Assistant accept; using mqttv311")
					m.Protocol = "mqttv311"
				default:
					r.fail(line, key, "-V must be mqttv31, mqttv311 or mqttv5 (got %q)", v)
				}
			}
		case "-i", "--id":
			if v, ok := value(); ok {
				m.ClientID = v
			}
		case "-q", "--qos":
			if v, ok := value(); ok {
				q, err := strconv.Atoi(v)
				if err != nil || q < 0 || q > 2 {
					r.fail(line, key, "-q must be 0, 1 or 2 (got %q)", v)
				} else {
					m.QoS = q
				}
			}
		default:
			// What follows may be this option's value: stop at the first option not understood.
			r.fail(line, key, "option %q is not supported by freecam (it understands --cafile, --capath, --cert, --key, --insecure, --tls-version, -V, -i/--id and -q)", opt)
			return
		}
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		r.fail(line, key, "--cert and --key go together")
	}
	if m.CertFile != "" && !m.TLS() {
		r.fail(line, key, "--cert needs --cafile or --capath (mosquitto uses TLS only with a CA)")
	}
}

// pubOpts reads MOSQUITTOPUBOPTS: -r (retain) and -q.
func (m *MQTT) pubOpts(r *reader) {
	const key = "MOSQUITTOPUBOPTS"
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	args := strings.Fields(s)
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-r", "--retain":
			m.Retain = true
		case "-q", "--qos":
			if i+1 >= len(args) {
				r.fail(line, key, "-q needs a value")
				continue
			}
			i++
			q, err := strconv.Atoi(args[i])
			if err != nil || q < 0 || q > 2 {
				r.fail(line, key, "-q must be 0, 1 or 2 (got %q)", args[i])
			} else {
				m.QoS = q
			}
		default:
			r.fail(line, key, "option %q is not supported by freecam (it understands -r and -q)", args[i])
			return
		}
	}
}

func (m MQTT) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "\n[%s]\nHOST=%s\nPORT=%d\nUSER=%s\nPASS=%s\nTOPIC=%s\nAUTODISCOVERY_PREFIX=%s\nSTATUSINTERVAL=%g\nLIGHT_SENSOR=%s\n",
		MQTTFile, m.Host, m.Port, m.User, m.Pass, m.Topic, m.DiscoveryPrefix, m.StatusInterval.Seconds(), m.LightSensor)
	fmt.Fprintf(b, "TLS=%t CAFILE=%s CAPATH=%s CERT=%s KEY=%s INSECURE=%t TLS_VERSION=%s PROTOCOL=%s ID=%s QOS=%d RETAIN=%t\n",
		m.TLS(), m.CAFile, m.CAPath, m.CertFile, m.KeyFile, m.Insecure, m.TLSVersion, m.Protocol, m.ClientID, m.QoS, m.Retain)
}
