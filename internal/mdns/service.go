package mdns

import (
	"fmt"
	"maps"
	"strings"
)

// Service is one announced listener: a DNS-SD instance <Name>.<Type>.local with an SRV record
// pointing at <host>.local:Port and a TXT record built from Text.
type Service struct {
	// Name is the instance name shown by browsers. Default: the host name.
	Name string
	// Type is the DNS-SD service type, such as "_rtsp._tcp".
	Type string
	// Port is the listener's TCP port (1–65535).
	Port int
	// Text holds the TXT record's key=value pairs (for example path=/unicast). Optional.
	Text map[string]string
}

// The service types freecam announces.
const (
	TypeRTSP  = "_rtsp._tcp"
	TypeHTTPS = "_https._tcp"
	TypeONVIF = "_onvif._tcp"
)

// RTSP is the RTSP server's service: port (8554 on the firmware), TXT path=/unicast.
func RTSP(port int) Service {
	return Service{Type: TypeRTSP, Port: port, Text: map[string]string{"path": "/unicast"}}
}

// HTTPS is the web UI's service, TXT path=/.
func HTTPS(port int) Service {
	return Service{Type: TypeHTTPS, Port: port, Text: map[string]string{"path": "/"}}
}

// ONVIF is the ONVIF device service on the plain-HTTP port, TXT path=/onvif/device_service.
//
// ONVIF clients find cameras by WS-Discovery (which freecam answers too); this record is announced
// anyway because WS-Discovery's multicast to 239.255.255.250:3702 is often filtered by Wi-Fi
// access points and is invisible to the tools people already use to look at their network
// (avahi-browse, Bonjour browsers, Home Assistant's zeroconf discovery list), which then show the
// device service URL beside the RTSP and HTTPS ones. Browsers that do not know the type ignore it.
func ONVIF(port int) Service {
	return Service{Type: TypeONVIF, Port: port, Text: map[string]string{"path": "/onvif/device_service"}}
}

// key identifies an instance: a service that keeps its key but changes port or text is withdrawn
// and announced again.
func (s Service) key() string { return s.Type + "\x00" + s.Name }

func (s Service) equal(o Service) bool {
	return s.Name == o.Name && s.Type == o.Type && s.Port == o.Port && maps.Equal(s.Text, o.Text)
}

// check validates s; i is its index for the message.
func (s Service) check(i int) error {
	parts := strings.Split(s.Type, ".")
	if len(parts) != 2 || len(parts[0]) < 2 || parts[0][0] != '_' || (parts[1] != "_tcp" && parts[1] != "_udp") {
		return fmt.Errorf("mdns: service %d: type %q is not of the form _name._tcp or _name._udp", i, s.Type)
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("mdns: service %d (%s): port %d is not 1-65535", i, s.Type, s.Port)
	}
	if len(s.Name) > 63 {
		return fmt.Errorf("mdns: service %d (%s): name %q is longer than 63 bytes", i, s.Type, s.Name)
	}
	for k, v := range s.Text {
		if k == "" || strings.Contains(k, "=") || len(k)+1+len(v) > 255 {
			return fmt.Errorf("mdns: service %d (%s): TXT %q=%q: keys must be non-empty without '=', key=value at most 255 bytes", i, s.Type, k, v)
		}
	}
	return nil
}
