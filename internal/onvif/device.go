package onvif

import (
	"encoding/xml"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// deviceService is the device management service (tds, ver10/device/wsdl).
type deviceService struct{ s *Server }

func (d *deviceService) operations() soap.Ops {
	return soap.Ops{
		"GetSystemDateAndTime":   {Access: soap.Open, Serve: d.getSystemDateAndTime},
		"GetCapabilities":        {Access: soap.Open, Serve: d.getCapabilities},
		"GetServices":            {Access: soap.Open, Serve: d.getServices},
		"GetServiceCapabilities": {Access: soap.Open, Serve: d.getServiceCapabilities},
		"GetWsdlUrl":             {Access: soap.Open, Serve: d.getWsdlURL},
		"GetHostname":            {Access: soap.Open, Serve: d.getHostname},
		"GetEndpointReference":   {Access: soap.Open, Serve: d.getEndpointReference},
		"GetDeviceInformation":   {Access: soap.Viewer, Serve: d.getDeviceInformation},
		"GetNetworkInterfaces":   {Access: soap.Viewer, Serve: d.getNetworkInterfaces},
		"GetScopes":              {Access: soap.Viewer, Serve: d.getScopes},
		"GetNTP":                 {Access: soap.Viewer, Serve: d.getNTP},
		"GetDNS":                 {Access: soap.Viewer, Serve: d.getDNS},
		"GetNetworkProtocols":    {Access: soap.Viewer, Serve: d.getNetworkProtocols},
		"SetSystemDateAndTime":   {Access: soap.Admin, Serve: d.setSystemDateAndTime},
	}
}

// onvifVersion is the ONVIF version the services claim (2.60: Media1, events, PTZ ver20).
func onvifVersion() version { return version{Major: 2, Minor: 60} }

type version struct {
	Major int `xml:"tt:Major"`
	Minor int `xml:"tt:Minor"`
}

// --- GetSystemDateAndTime, SetSystemDateAndTime

type dateTime struct {
	Time struct {
		Hour   int `xml:"tt:Hour"`
		Minute int `xml:"tt:Minute"`
		Second int `xml:"tt:Second"`
	} `xml:"tt:Time"`
	Date struct {
		Year  int `xml:"tt:Year"`
		Month int `xml:"tt:Month"`
		Day   int `xml:"tt:Day"`
	} `xml:"tt:Date"`
}

func newDateTime(t time.Time) *dateTime {
	var d dateTime
	d.Time.Hour, d.Time.Minute, d.Time.Second = t.Clock()
	y, m, day := t.Date()
	d.Date.Year, d.Date.Month, d.Date.Day = y, int(m), day
	return &d
}

// posixTZ is the time zone ONVIF reports: the TZ environment variable (a POSIX TZ string on
// the camera's firmware), UTC0 when unset.
func posixTZ() string {
	tz := strings.TrimPrefix(os.Getenv("TZ"), ":")
	if tz == "" {
		return "UTC0"
	}
	return tz
}

type systemDateAndTime struct {
	DateTimeType    string `xml:"tt:DateTimeType"`
	DaylightSavings bool   `xml:"tt:DaylightSavings"`
	TimeZone        struct {
		TZ string `xml:"tt:TZ"`
	} `xml:"tt:TimeZone"`
	UTCDateTime   *dateTime `xml:"tt:UTCDateTime"`
	LocalDateTime *dateTime `xml:"tt:LocalDateTime"`
}

func (d *deviceService) getSystemDateAndTime(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	now := d.s.o.Now()
	sdt := systemDateAndTime{DateTimeType: "NTP", UTCDateTime: newDateTime(now.UTC()), LocalDateTime: newDateTime(now.Local())}
	sdt.TimeZone.TZ = posixTZ()
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name          `xml:"tds:GetSystemDateAndTimeResponse"`
		SDT     systemDateAndTime `xml:"tds:SystemDateAndTime"`
	}{SDT: sdt})
}

func (d *deviceService) setSystemDateAndTime(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		DateTimeType string `xml:"DateTimeType"`
		UTCDateTime  *struct {
			Time struct {
				Hour, Minute, Second int
			}
			Date struct {
				Year, Month, Day int
			}
		} `xml:"UTCDateTime"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed SetSystemDateAndTime")
		return
	}
	switch strings.TrimSpace(req.DateTimeType) {
	case "NTP":
		// The clock already follows NTP: nothing to change.
		d.s.writeResponse(w, c, struct {
			XMLName xml.Name `xml:"tds:SetSystemDateAndTimeResponse"`
		}{})
		return
	case "Manual":
	default:
		invalidArg(w, c, "", "DateTimeType must be NTP or Manual")
		return
	}
	if d.s.o.SetClock == nil {
		invalidArg(w, c, "", "the clock is set by the system (NTP)")
		return
	}
	u := req.UTCDateTime
	if u == nil {
		invalidArg(w, c, "ter:InvalidDateTime", "Manual needs UTCDateTime")
		return
	}
	t := time.Date(u.Date.Year, time.Month(u.Date.Month), u.Date.Day, u.Time.Hour, u.Time.Minute, u.Time.Second, 0, time.UTC)
	if y, m, day := t.Date(); y != u.Date.Year || int(m) != u.Date.Month || day != u.Date.Day ||
		t.Hour() != u.Time.Hour || t.Minute() != u.Time.Minute || t.Second() != u.Time.Second || y < 2000 {
		invalidArg(w, c, "ter:InvalidDateTime", "UTCDateTime is not a valid date and time")
		return
	}
	if err := d.s.o.SetClock(t); err != nil {
		d.s.o.Log.Warn("onvif: set the clock", "time", t, "err", err)
		fault(w, c, soap.Receiver, "the clock could not be set")
		return
	}
	d.s.o.Log.Info("onvif: clock set", "time", t, "user", c.User)
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"tds:SetSystemDateAndTimeResponse"`
	}{})
}

// --- GetCapabilities

type deviceCaps struct {
	XAddr   string `xml:"tt:XAddr"`
	Network struct {
		IPFilter          bool `xml:"tt:IPFilter"`
		ZeroConfiguration bool `xml:"tt:ZeroConfiguration"`
		IPVersion6        bool `xml:"tt:IPVersion6"`
		DynDNS            bool `xml:"tt:DynDNS"`
	} `xml:"tt:Network"`
	System struct {
		DiscoveryResolve  bool    `xml:"tt:DiscoveryResolve"`
		DiscoveryBye      bool    `xml:"tt:DiscoveryBye"`
		RemoteDiscovery   bool    `xml:"tt:RemoteDiscovery"`
		SystemBackup      bool    `xml:"tt:SystemBackup"`
		SystemLogging     bool    `xml:"tt:SystemLogging"`
		FirmwareUpgrade   bool    `xml:"tt:FirmwareUpgrade"`
		SupportedVersions version `xml:"tt:SupportedVersions"`
	} `xml:"tt:System"`
	IO struct {
		InputConnectors int `xml:"tt:InputConnectors"`
		RelayOutputs    int `xml:"tt:RelayOutputs"`
	} `xml:"tt:IO"`
	Security struct {
		TLS11                bool `xml:"tt:TLS1.1"`
		TLS12                bool `xml:"tt:TLS1.2"`
		OnboardKeyGeneration bool `xml:"tt:OnboardKeyGeneration"`
		AccessPolicyConfig   bool `xml:"tt:AccessPolicyConfig"`
		X509Token            bool `xml:"tt:X.509Token"`
		SAMLToken            bool `xml:"tt:SAMLToken"`
		KerberosToken        bool `xml:"tt:KerberosToken"`
		RELToken             bool `xml:"tt:RELToken"`
	} `xml:"tt:Security"`
}

type streamingCaps struct {
	RTPMulticast bool `xml:"tt:RTPMulticast"`
	RTPTCP       bool `xml:"tt:RTP_TCP"`
	RTPRTSPTCP   bool `xml:"tt:RTP_RTSP_TCP"`
}

type capabilities struct {
	XMLName xml.Name     `xml:"tds:Capabilities"`
	Device  *deviceCaps  `xml:"tt:Device,omitempty"`
	Events  *eventsCaps  `xml:"tt:Events,omitempty"`
	Imaging *imagingCaps `xml:"tt:Imaging,omitempty"`
	Media   *mediaCapsV1 `xml:"tt:Media,omitempty"`
	PTZ     *ptzCaps     `xml:"tt:PTZ,omitempty"`
}

type eventsCaps struct {
	XAddr                                         string `xml:"tt:XAddr"`
	WSSubscriptionPolicySupport                   bool   `xml:"tt:WSSubscriptionPolicySupport"`
	WSPullPointSupport                            bool   `xml:"tt:WSPullPointSupport"`
	WSPausableSubscriptionManagerInterfaceSupport bool   `xml:"tt:WSPausableSubscriptionManagerInterfaceSupport"`
}

type mediaCapsV1 struct {
	XAddr                 string        `xml:"tt:XAddr"`
	StreamingCapabilities streamingCaps `xml:"tt:StreamingCapabilities"`
}

type ptzCaps struct {
	XAddr string `xml:"tt:XAddr"`
}

type imagingCaps struct {
	XAddr string `xml:"tt:XAddr"`
}

func (d *deviceService) getCapabilities(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		Category []string `xml:"Category"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed GetCapabilities")
		return
	}
	want := map[string]bool{}
	for _, cat := range req.Category {
		for _, f := range strings.Fields(cat) {
			want[f] = true
		}
	}
	all := len(want) == 0 || want["All"]
	var caps capabilities
	for cat := range want {
		switch cat {
		case "All", "Device", "Media":
		case "Events":
			if d.s.o.Events == nil {
				fault(w, c, soap.Receiver, "the event service is not offered", soap.SubActionNotSupported, "ter:NoSuchService")
				return
			}
		case "PTZ":
			if d.s.o.PTZ == nil {
				fault(w, c, soap.Receiver, "this camera has no PTZ", soap.SubActionNotSupported, "ter:NoSuchService")
				return
			}
		case "Imaging":
			if d.s.o.Imaging == nil {
				fault(w, c, soap.Receiver, "the imaging service is not offered", soap.SubActionNotSupported, "ter:NoSuchService")
				return
			}
		default:
			fault(w, c, soap.Receiver, "no such service: "+cat, soap.SubActionNotSupported, "ter:NoSuchService")
			return
		}
	}
	if all || want["Device"] {
		dc := &deviceCaps{XAddr: c.BaseURL + DevicePath}
		dc.System.DiscoveryBye = true
		dc.System.SupportedVersions = onvifVersion()
		dc.Security.TLS12 = true
		caps.Device = dc
	}
	if d.s.o.Events != nil && (all || want["Events"]) {
		caps.Events = &eventsCaps{XAddr: c.BaseURL + EventsPath, WSPullPointSupport: true}
	}
	if d.s.o.Imaging != nil && (all || want["Imaging"]) {
		caps.Imaging = &imagingCaps{c.BaseURL + ImagingPath}
	}
	if all || want["Media"] {
		caps.Media = &mediaCapsV1{c.BaseURL + MediaPath, streamingCaps{RTPTCP: true, RTPRTSPTCP: true}}
	}
	if d.s.o.PTZ != nil && (all || want["PTZ"]) {
		caps.PTZ = &ptzCaps{c.BaseURL + PTZPath}
	}
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"tds:GetCapabilitiesResponse"`
		Caps    capabilities
	}{Caps: caps})
}

// --- GetServiceCapabilities, GetServices

// deviceServiceCaps is the device service's tds:Capabilities.
type deviceServiceCaps struct {
	XMLName xml.Name `xml:"tds:Capabilities"`
	Network struct {
		IPFilter          bool `xml:"IPFilter,attr"`
		ZeroConfiguration bool `xml:"ZeroConfiguration,attr"`
		IPVersion6        bool `xml:"IPVersion6,attr"`
		DynDNS            bool `xml:"DynDNS,attr"`
		HostnameFromDHCP  bool `xml:"HostnameFromDHCP,attr"`
		NTP               int  `xml:"NTP,attr"`
	} `xml:"tds:Network"`
	Security struct {
		TLS11                bool `xml:"TLS1.1,attr"`
		TLS12                bool `xml:"TLS1.2,attr"`
		OnboardKeyGeneration bool `xml:"OnboardKeyGeneration,attr"`
		AccessPolicyConfig   bool `xml:"AccessPolicyConfig,attr"`
		DefaultAccessPolicy  bool `xml:"DefaultAccessPolicy,attr"`
		Dot1X                bool `xml:"Dot1X,attr"`
		RemoteUserHandling   bool `xml:"RemoteUserHandling,attr"`
		X509Token            bool `xml:"X.509Token,attr"`
		SAMLToken            bool `xml:"SAMLToken,attr"`
		KerberosToken        bool `xml:"KerberosToken,attr"`
		UsernameToken        bool `xml:"UsernameToken,attr"`
		HTTPDigest           bool `xml:"HttpDigest,attr"`
		RELToken             bool `xml:"RELToken,attr"`
	} `xml:"tds:Security"`
	System struct {
		DiscoveryResolve  bool `xml:"DiscoveryResolve,attr"`
		DiscoveryBye      bool `xml:"DiscoveryBye,attr"`
		RemoteDiscovery   bool `xml:"RemoteDiscovery,attr"`
		SystemBackup      bool `xml:"SystemBackup,attr"`
		SystemLogging     bool `xml:"SystemLogging,attr"`
		FirmwareUpgrade   bool `xml:"FirmwareUpgrade,attr"`
		HTTPFirmware      bool `xml:"HttpFirmwareUpgrade,attr"`
		HTTPSystemBackup  bool `xml:"HttpSystemBackup,attr"`
		HTTPSystemLogging bool `xml:"HttpSystemLogging,attr"`
		HTTPSupportInfo   bool `xml:"HttpSupportInformation,attr"`
	} `xml:"tds:System"`
}

func newDeviceServiceCaps() *deviceServiceCaps {
	var c deviceServiceCaps
	c.Security.TLS12 = true
	c.Security.UsernameToken = true
	c.Security.HTTPDigest = true
	c.System.DiscoveryBye = true
	return &c
}

func (d *deviceService) getServiceCapabilities(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"tds:GetServiceCapabilitiesResponse"`
		Caps    *deviceServiceCaps
	}{Caps: newDeviceServiceCaps()})
}

type service struct {
	Namespace    string  `xml:"tds:Namespace"`
	XAddr        string  `xml:"tds:XAddr"`
	Capabilities *rawXML `xml:"tds:Capabilities,omitempty"`
	Version      version `xml:"tds:Version"`
}

// rawXML is inner XML written as is.
type rawXML struct {
	Inner []byte `xml:",innerxml"`
}

func (d *deviceService) getServices(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	var req struct {
		IncludeCapability string `xml:"IncludeCapability"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed GetServices")
		return
	}
	incl := strings.TrimSpace(req.IncludeCapability)
	withCaps := incl == "true" || incl == "1"
	capsOf := func(v any) *rawXML {
		if !withCaps {
			return nil
		}
		b, err := xml.Marshal(v)
		if err != nil {
			return nil
		}
		return &rawXML{b}
	}
	svcs := []service{
		{Namespace: soap.NSDevice, XAddr: c.BaseURL + DevicePath, Capabilities: capsOf(newDeviceServiceCaps()), Version: onvifVersion()},
		{Namespace: soap.NSMedia, XAddr: c.BaseURL + MediaPath, Capabilities: capsOf(newMediaCaps()), Version: onvifVersion()},
	}
	if d.s.o.Events != nil {
		svcs = append(svcs, service{Namespace: soap.NSEvents, XAddr: c.BaseURL + EventsPath, Version: onvifVersion(),
			Capabilities: d.foreignCaps(withCaps, r, c, soap.NSEvents, d.s.o.Events)})
	}
	if d.s.o.PTZ != nil {
		svcs = append(svcs, service{Namespace: soap.NSPTZ, XAddr: c.BaseURL + PTZPath, Version: onvifVersion(),
			Capabilities: d.foreignCaps(withCaps, r, c, soap.NSPTZ, d.s.o.PTZ)})
	}
	if d.s.o.Imaging != nil {
		svcs = append(svcs, service{Namespace: soap.NSImaging, XAddr: c.BaseURL + ImagingPath, Version: onvifVersion(),
			Capabilities: d.foreignCaps(withCaps, r, c, soap.NSImaging, d.s.o.Imaging)})
	}
	d.s.writeResponse(w, c, struct {
		XMLName  xml.Name  `xml:"tds:GetServicesResponse"`
		Services []service `xml:"tds:Service"`
	}{Services: svcs})
}

// foreignCaps asks another service (events, PTZ) for its GetServiceCapabilities answer and
// returns the capabilities element in it, so GetServices reports what that service reports.
// nil when not asked for or when the service does not answer one.
func (d *deviceService) foreignCaps(withCaps bool, r *http.Request, c *soap.Call, ns string, svc soap.Service) *rawXML {
	if !withCaps {
		return nil
	}
	if a, ok := svc.Access("GetServiceCapabilities"); !ok || a != soap.Open {
		return nil
	}
	env := `<e:Envelope xmlns:e="` + soap.NSSoap12 + `"><e:Body><GetServiceCapabilities xmlns="` + ns + `"/></e:Body></e:Envelope>`
	req, err := soap.ParseRequest(strings.NewReader(env), 0)
	if err != nil {
		return nil
	}
	rec := newCapture()
	svc.ServeSOAP(rec, r, &soap.Call{Req: req, User: c.User, Admin: c.Admin, BaseURL: c.BaseURL})
	if rec.status != http.StatusOK {
		return nil
	}
	inner := responseChild(rec.body.Bytes())
	if inner == nil {
		return nil
	}
	return &rawXML{inner}
}

// --- identity

func (d *deviceService) getDeviceInformation(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	info := d.s.o.Info()
	d.s.writeResponse(w, c, struct {
		XMLName         xml.Name `xml:"tds:GetDeviceInformationResponse"`
		Manufacturer    string   `xml:"tds:Manufacturer"`
		Model           string   `xml:"tds:Model"`
		FirmwareVersion string   `xml:"tds:FirmwareVersion"`
		SerialNumber    string   `xml:"tds:SerialNumber"`
		HardwareID      string   `xml:"tds:HardwareId"`
	}{Manufacturer: info.Manufacturer, Model: info.Model, FirmwareVersion: info.FirmwareVersion,
		SerialNumber: info.SerialNumber, HardwareID: info.HardwareID})
}

type hostnameInfo struct {
	FromDHCP bool   `xml:"tt:FromDHCP"`
	Name     string `xml:"tt:Name,omitempty"`
}

func (d *deviceService) getHostname(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name     `xml:"tds:GetHostnameResponse"`
		Info    hostnameInfo `xml:"tds:HostnameInformation"`
	}{Info: hostnameInfo{Name: d.s.o.Info().Hostname}})
}

func (d *deviceService) getEndpointReference(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"tds:GetEndpointReferenceResponse"`
		GUID    string   `xml:"tds:GUID"`
	}{GUID: EndpointUUID(d.s.o.Info())})
}

func (d *deviceService) getWsdlURL(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	d.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"tds:GetWsdlUrlResponse"`
		URL     string   `xml:"tds:WsdlUrl"`
	}{URL: "http://www.onvif.org/Documents/Specifications.aspx"})
}

func (d *deviceService) getScopes(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	type scope struct {
		Def  string `xml:"tt:ScopeDef"`
		Item string `xml:"tt:ScopeItem"`
	}
	var out struct {
		XMLName xml.Name `xml:"tds:GetScopesResponse"`
		Scopes  []scope  `xml:"tds:Scopes"`
	}
	for _, s := range Scopes(d.s.o.Info(), d.s.o.PTZ != nil) {
		out.Scopes = append(out.Scopes, scope{"Fixed", s})
	}
	d.s.writeResponse(w, c, out)
}

// --- network

type ipv4Addr struct {
	Address      string `xml:"tt:Address"`
	PrefixLength int    `xml:"tt:PrefixLength"`
}

type netIface struct {
	Token   string `xml:"token,attr"`
	Enabled bool   `xml:"tt:Enabled"`
	Info    struct {
		Name      string `xml:"tt:Name,omitempty"`
		HwAddress string `xml:"tt:HwAddress"`
		MTU       int    `xml:"tt:MTU,omitempty"`
	} `xml:"tt:Info"`
	IPv4 *ipv4Iface `xml:"tt:IPv4,omitempty"`
}

type ipv4Iface struct {
	Enabled bool `xml:"tt:Enabled"`
	Config  struct {
		Manual   []ipv4Addr `xml:"tt:Manual"`
		FromDHCP *ipv4Addr  `xml:"tt:FromDHCP,omitempty"`
		DHCP     bool       `xml:"tt:DHCP"`
	} `xml:"tt:Config"`
}

func (d *deviceService) getNetworkInterfaces(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var out struct {
		XMLName    xml.Name   `xml:"tds:GetNetworkInterfacesResponse"`
		Interfaces []netIface `xml:"tds:NetworkInterfaces"`
	}
	for _, in := range d.s.o.Info().Interfaces {
		ni := netIface{Token: in.Name, Enabled: true}
		ni.Info.Name, ni.Info.HwAddress, ni.Info.MTU = in.Name, in.MAC.String(), in.MTU
		ni.IPv4 = &ipv4Iface{Enabled: len(in.IPv4) > 0}
		for i, p := range in.IPv4 {
			a := ipv4Addr{p.Addr().String(), p.Bits()}
			if i == 0 && in.DHCP {
				ni.IPv4.Config.FromDHCP = &a
			} else {
				ni.IPv4.Config.Manual = append(ni.IPv4.Config.Manual, a)
			}
		}
		ni.IPv4.Config.DHCP = in.DHCP
		out.Interfaces = append(out.Interfaces, ni)
	}
	d.s.writeResponse(w, c, out)
}

type netHost struct {
	Type string `xml:"tt:Type"`
	IPv4 string `xml:"tt:IPv4Address,omitempty"`
	IPv6 string `xml:"tt:IPv6Address,omitempty"`
	DNS  string `xml:"tt:DNSname,omitempty"`
}

func (d *deviceService) getNTP(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var out struct {
		XMLName xml.Name `xml:"tds:GetNTPResponse"`
		Info    struct {
			FromDHCP bool      `xml:"tt:FromDHCP"`
			Manual   []netHost `xml:"tt:NTPManual"`
		} `xml:"tds:NTPInformation"`
	}
	for _, s := range d.s.o.Info().NTPServers {
		out.Info.Manual = append(out.Info.Manual, hostOf(s))
	}
	d.s.writeResponse(w, c, out)
}

// hostOf describes a host name or address as a tt:NetworkHost.
func hostOf(s string) netHost {
	if ip := net.ParseIP(s); ip != nil {
		if ip.To4() != nil {
			return netHost{Type: "IPv4", IPv4: s}
		}
		return netHost{Type: "IPv6", IPv6: s}
	}
	return netHost{Type: "DNS", DNS: s}
}

func (d *deviceService) getDNS(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	type ipAddr struct {
		Type string `xml:"tt:Type"`
		IPv4 string `xml:"tt:IPv4Address,omitempty"`
		IPv6 string `xml:"tt:IPv6Address,omitempty"`
	}
	info := d.s.o.Info()
	dhcp := len(info.Interfaces) > 0 && info.Interfaces[0].DHCP
	var out struct {
		XMLName xml.Name `xml:"tds:GetDNSResponse"`
		Info    struct {
			FromDHCP    bool     `xml:"tt:FromDHCP"`
			DNSFromDHCP []ipAddr `xml:"tt:DNSFromDHCP"`
			DNSManual   []ipAddr `xml:"tt:DNSManual"`
		} `xml:"tds:DNSInformation"`
	}
	out.Info.FromDHCP = dhcp
	for _, a := range info.DNS {
		ia := ipAddr{Type: "IPv4", IPv4: a.String()}
		if a.Is6() && !a.Is4In6() {
			ia = ipAddr{Type: "IPv6", IPv6: a.String()}
		}
		if dhcp {
			out.Info.DNSFromDHCP = append(out.Info.DNSFromDHCP, ia)
		} else {
			out.Info.DNSManual = append(out.Info.DNSManual, ia)
		}
	}
	d.s.writeResponse(w, c, out)
}

func (d *deviceService) getNetworkProtocols(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	st, ok := d.s.o.Stream()
	if !ok {
		cameraRestarting(w, c)
		return
	}
	type proto struct {
		Name    string `xml:"tt:Name"`
		Enabled bool   `xml:"tt:Enabled"`
		Port    int    `xml:"tt:Port"`
	}
	info := d.s.o.Info()
	var out struct {
		XMLName xml.Name `xml:"tds:GetNetworkProtocolsResponse"`
		Protos  []proto  `xml:"tds:NetworkProtocols"`
	}
	if info.HTTPPort > 0 {
		out.Protos = append(out.Protos, proto{"HTTP", true, info.HTTPPort})
	}
	if info.HTTPSPort > 0 {
		out.Protos = append(out.Protos, proto{"HTTPS", true, info.HTTPSPort})
	}
	out.Protos = append(out.Protos, proto{"RTSP", true, st.RTSPPort})
	d.s.writeResponse(w, c, out)
}

// cameraRestarting answers an operation that needs the stream while the camera restarts.
func cameraRestarting(w http.ResponseWriter, c *soap.Call) {
	fault(w, c, soap.Receiver, "camera restarting")
}
