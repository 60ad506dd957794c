package onvif

import (
	"crypto/sha1" //nolint:gosec // RFC 9562 defines name-based UUID version 5 with SHA-1
	"fmt"
	"net"
	"net/netip"
	"net/url"
)

// DeviceInfo is the camera's identity as ONVIF reports it. Options.Info returns it at each call,
// so a renamed camera is reported at once.
type DeviceInfo struct {
	Manufacturer, Model, FirmwareVersion, SerialNumber, HardwareID string
	// Hostname is the system host name (GetHostname); Name is the user-facing camera name (the
	// name scope; Hostname when empty); Location is an optional location scope.
	Hostname, Name, Location string
	// Interfaces are the network interfaces; the first is the primary one, whose MAC is the
	// camera's identity for Home Assistant and the base of EndpointUUID.
	Interfaces []NetInterface
	// HTTPPort is the plain-HTTP port ONVIF is served on (GetNetworkProtocols); HTTPSPort the
	// HTTPS one, 0 when none.
	HTTPPort, HTTPSPort int
	// NTPServers (host names or addresses) and DNS are reported by GetNTP and GetDNS; empty
	// lists are reported as empty.
	NTPServers []string
	DNS        []netip.Addr
}

// NetInterface is one network interface.
type NetInterface struct {
	Name string
	MAC  net.HardwareAddr
	MTU  int
	// IPv4 are the interface's IPv4 addresses with their prefix lengths.
	IPv4 []netip.Prefix
	// DHCP is true when the first address came from DHCP.
	DHCP bool
}

// name is the camera name the scopes and the device report.
func (d DeviceInfo) name() string {
	switch {
	case d.Name != "":
		return d.Name
	case d.Hostname != "":
		return d.Hostname
	}
	return d.Model
}

// mac is the primary interface's MAC, "" when there is none.
func (d DeviceInfo) mac() string {
	if len(d.Interfaces) == 0 || len(d.Interfaces[0].MAC) == 0 {
		return ""
	}
	return d.Interfaces[0].MAC.String()
}

// ScopePrefix starts every ONVIF scope URI.
const ScopePrefix = "onvif://www.onvif.org/"

// Scopes returns the fixed ONVIF scopes of the camera, in the order GetScopes and WS-Discovery
// report them: Profile/Streaming, type/video_encoder, type/ptz (when ptz), hardware/<Model>,
// name/<Name>, mac/<primary MAC> (when known) and location/<Location> (when set). Values are
// URL-path-escaped, so a name with spaces stays one segment.
func Scopes(info DeviceInfo, ptz bool) []string {
	s := make([]string, 0, 7)
	s = append(s, ScopePrefix+"Profile/Streaming", ScopePrefix+"type/video_encoder")
	if ptz {
		s = append(s, ScopePrefix+"type/ptz")
	}
	s = append(s, ScopePrefix+"hardware/"+url.PathEscape(info.Model),
		ScopePrefix+"name/"+url.PathEscape(info.name()))
	if mac := info.mac(); mac != "" {
		s = append(s, ScopePrefix+"mac/"+mac)
	}
	if info.Location != "" {
		s = append(s, ScopePrefix+"location/"+url.PathEscape(info.Location))
	}
	return s
}

// uuidNamespace is the name space of freecam's endpoint UUIDs (itself a version 5 UUID of the
// URL namespace and "https://github.com/freecam/freecam/onvif"), 16 bytes.
const uuidNamespace = "\xc7\x3d\xd5\x98\x4b\x96\x57\xfc\x9f\x14\x15\x3e\x6c\x8f\xf3\xf0"

// EndpointUUID returns the camera's stable WS-Discovery endpoint address, "urn:uuid:…": a
// name-based (version 5) UUID of the primary interface's MAC, or of the host name when there is
// no MAC, so it survives reboots and is the same on every interface.
func EndpointUUID(info DeviceInfo) string {
	name := "mac:" + info.mac()
	if info.mac() == "" {
		name = "host:" + info.Hostname
	}
	return "urn:uuid:" + uuidV5(uuidNamespace, name)
}

// uuidV5 is RFC 9562 §5.5.
func uuidV5(ns, name string) string {
	h := sha1.New() //nolint:gosec // mandated by RFC 9562
	h.Write([]byte(ns))
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// StreamInfo is the current video stream as ONVIF describes it; Options.Stream returns it.
type StreamInfo struct {
	Width, Height, FPS, BitrateKbps, GOVLength, Quality int
	// Encoding is "H264" or "JPEG".
	Encoding string
	// RTSPPort and RTSPPath ("/unicast") make the stream URI.
	RTSPPort int
	RTSPPath string
}
