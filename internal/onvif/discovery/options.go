package discovery

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Defaults of Options.
const (
	DefaultPort     = 3702
	DefaultMaxDelay = 500 * time.Millisecond
)

// DefaultGroup is WS-Discovery's IPv4 multicast group, 239.255.255.250.
var DefaultGroup = netip.AddrFrom4([4]byte{239, 255, 255, 250})

// Options configure Run. The zero value of every field but EndpointUUID is useful.
type Options struct {
	// EndpointUUID is the device's stable "urn:uuid:…" EndpointReference address, the same
	// across reboots and interfaces (the integrator derives it from the MAC). Required.
	EndpointUUID string
	// Types announced and matched. Default dn:NetworkVideoTransmitter
	// (http://www.onvif.org/ver10/network/wsdl) and tds:Device (http://www.onvif.org/ver10/device/wsdl).
	Types []xml.Name
	// Scopes returns the current scopes (onvif://www.onvif.org/Profile/Streaming, …/name/<name>
	// URL-encoded…), called at each answer and Hello. It must be quick and goroutine-safe.
	// Nil: no scopes (then only probes without scopes match).
	Scopes func() []string
	// XAddrs returns the device service URLs for a message leaving by the interface whose IPv4
	// address is local, e.g. "http://192.0.2.2:8080/onvif/device_service". local is the zero
	// Addr if it could not be determined. Called at each answer and Hello; must be quick and
	// goroutine-safe. Nil: no XAddrs (clients then cannot reach the device).
	XAddrs func(local netip.Addr) []string
	// MetadataVersion is announced as is; raise it when the scopes or XAddrs change.
	MetadataVersion int
	// Interfaces are the names of the interfaces to join the group on. Default (empty): every
	// up, multicast-capable, non-loopback interface with an IPv4 address. Either way the
	// interfaces are re-scanned every 30 s: a new address is announced with Hello.
	Interfaces []string
	// Port is the UDP port listened on and multicast to. Default 3702.
	Port int
	// Group is the IPv4 multicast group. Default 239.255.255.250.
	Group netip.Addr
	// MaxDelay is the upper bound of the random delay before a ProbeMatches (WS-Discovery's
	// APP_MAX_DELAY). Default 500 ms; negative means no delay (tests).
	MaxDelay time.Duration
	// Log receives start, interface and error messages; never one per datagram. Default discard.
	Log *slog.Logger
}

// withDefaults returns o with its defaults filled in, or an error naming the invalid field.
func (o Options) withDefaults() (Options, error) {
	if o.EndpointUUID == "" {
		return o, errors.New("discovery: Options.EndpointUUID is required (a stable urn:uuid:…)")
	}
	if len(o.Types) == 0 {
		o.Types = []xml.Name{
			{Space: soap.NSNetwork, Local: "NetworkVideoTransmitter"},
			{Space: soap.NSDevice, Local: "Device"},
		}
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, errors.New("discovery: Options.Port must be 1..65535")
	}
	if !o.Group.IsValid() {
		o.Group = DefaultGroup
	}
	if !o.Group.Is4() || !o.Group.IsMulticast() {
		return o, errors.New("discovery: Options.Group must be an IPv4 multicast address")
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MaxDelay < 0 {
		o.MaxDelay = 0
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
