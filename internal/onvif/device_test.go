package onvif

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// call sends op to the device or media service as admin (zeep's envelope) and returns the reply.
func (e *testEnv) call(ns, op, inner string) *reply {
	e.t.Helper()
	return e.post(DevicePath, zeepEnvelope(op, ns, inner, "admin", "secret", e.freshNonce()))
}

func TestDeviceOperations(t *testing.T) {
	e := newTestEnv(t, nil)
	base := e.ts.URL

	t.Run("GetSystemDateAndTime", func(t *testing.T) {
		t.Setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
		b := e.call(soap.NSDevice, "GetSystemDateAndTime", "").ok(t, soap.NSDevice, "GetSystemDateAndTime")
		sdt := b.Get("SystemDateAndTime")
		for _, c := range []struct{ path, want string }{
			{"DateTimeType", "NTP"}, {"DaylightSavings", "false"}, {"TimeZone/TZ", "CET-1CEST,M3.5.0,M10.5.0/3"},
			{"UTCDateTime/Time/Hour", "0"}, {"UTCDateTime/Time/Minute", "16"}, {"UTCDateTime/Time/Second", "45"},
			{"UTCDateTime/Date/Year", "2025"}, {"UTCDateTime/Date/Month", "9"}, {"UTCDateTime/Date/Day", "30"},
		} {
			if got := sdt.Value(strings.Split(c.path, "/")...); got != c.want {
				t.Errorf("%s: got %q, want %q", c.path, got, c.want)
			}
		}
		if sdt.Get("LocalDateTime", "Date", "Year") == nil {
			t.Errorf("LocalDateTime missing")
		}
		if ns := sdt.Get("UTCDateTime").XMLName.Space; ns != soap.NSSchema {
			t.Errorf("UTCDateTime namespace: got %q, want tt", ns)
		}
	})

	t.Run("GetCapabilities", func(t *testing.T) {
		for _, c := range []struct {
			category                   string
			device, media, events, ptz bool
		}{
			{"All", true, true, true, true},
			{"", true, true, true, true},
			{"Media", false, true, false, false},
			{"PTZ", false, false, false, true},
			{"Events", false, false, true, false},
			{"Device", true, false, false, false},
		} {
			inner := ""
			if c.category != "" {
				inner = "<ns0:Category>" + c.category + "</ns0:Category>"
			}
			caps := e.call(soap.NSDevice, "GetCapabilities", inner).ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
			for _, s := range []struct {
				name string
				want bool
				path string
			}{{"Device", c.device, DevicePath}, {"Media", c.media, MediaPath}, {"Events", c.events, EventsPath}, {"PTZ", c.ptz, PTZPath}} {
				got := caps.Get(s.name)
				if (got != nil) != s.want {
					t.Errorf("category %q: %s present %v, want %v", c.category, s.name, got != nil, s.want)
					continue
				}
				if got != nil && got.Value("XAddr") != base+s.path {
					t.Errorf("%s XAddr: got %q, want %q", s.name, got.Value("XAddr"), base+s.path)
				}
			}
		}
		caps := e.call(soap.NSDevice, "GetCapabilities", "<ns0:Category>All</ns0:Category>").ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
		for _, c := range []struct{ path, want string }{
			{"Device/System/SupportedVersions/Major", "2"},
			{"Device/Security/TLS1.2", "true"},
			{"Media/StreamingCapabilities/RTP_RTSP_TCP", "true"},
			{"Media/StreamingCapabilities/RTPMulticast", "false"},
			{"Events/WSPullPointSupport", "true"},
			{"Events/WSSubscriptionPolicySupport", "false"},
			{"Events/WSPausableSubscriptionManagerInterfaceSupport", "false"},
		} {
			if got := caps.Value(strings.Split(c.path, "/")...); got != c.want {
				t.Errorf("%s: got %q, want %q", c.path, got, c.want)
			}
		}
		e.call(soap.NSDevice, "GetCapabilities", "<ns0:Category>Analytics</ns0:Category>").
			wantFault(t, 500, "Receiver", soap.SubActionNotSupported, "ter:NoSuchService")
	})

	t.Run("GetServices", func(t *testing.T) {
		for _, incl := range []bool{true, false} {
			inner := "<ns0:IncludeCapability>false</ns0:IncludeCapability>"
			if incl {
				inner = "<ns0:IncludeCapability>true</ns0:IncludeCapability>"
			}
			b := e.call(soap.NSDevice, "GetServices", inner).ok(t, soap.NSDevice, "GetServices")
			got := map[string]*node{}
			for _, s := range b.All("Service") {
				got[s.Value("Namespace")] = s
			}
			for ns, path := range map[string]string{soap.NSDevice: DevicePath, soap.NSMedia: MediaPath, soap.NSEvents: EventsPath, soap.NSPTZ: PTZPath} {
				s := got[ns]
				if s == nil {
					t.Errorf("service %s missing", ns)
					continue
				}
				if s.Value("XAddr") != base+path || s.Value("Version", "Major") != "2" || s.Value("Version", "Minor") == "<absent>" {
					t.Errorf("service %s: XAddr %q version %s.%s", ns, s.Value("XAddr"), s.Value("Version", "Major"), s.Value("Version", "Minor"))
				}
				if (s.Get("Capabilities") != nil) != incl {
					t.Errorf("IncludeCapability %v: service %s has Capabilities %v", incl, ns, s.Get("Capabilities") != nil)
				}
			}
			if incl {
				if v := got[soap.NSMedia].Get("Capabilities", "Capabilities").Attr("SnapshotUri"); v != "true" {
					t.Errorf("media capabilities SnapshotUri: got %q, want true", v)
				}
				// The events service's own GetServiceCapabilities answer, passed through.
				ec := got[soap.NSEvents].Get("Capabilities", "Capabilities")
				if ec.Attr("Fake") != "true" || ec.XMLName.Space != soap.NSEvents {
					t.Errorf("events capabilities: got %v Fake=%q, want the events service's element", nameOf(ec), ec.Attr("Fake"))
				}
				if dc := got[soap.NSDevice].Get("Capabilities", "Capabilities", "Security"); dc.Attr("UsernameToken") != "true" || dc.Attr("HttpDigest") != "true" {
					t.Errorf("device security capabilities: got UsernameToken=%q HttpDigest=%q", dc.Attr("UsernameToken"), dc.Attr("HttpDigest"))
				}
			}
		}
	})

	t.Run("GetServiceCapabilities", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetServiceCapabilities", "").ok(t, soap.NSDevice, "GetServiceCapabilities")
		caps := b.Get("Capabilities")
		if caps.Get("Network") == nil || caps.Get("Security") == nil || caps.Get("System") == nil {
			t.Fatalf("got %s, want Network, Security and System", e.call(soap.NSDevice, "GetServiceCapabilities", "").raw)
		}
		if caps.Get("System").Attr("DiscoveryBye") != "true" {
			t.Errorf("System DiscoveryBye: got %q, want true", caps.Get("System").Attr("DiscoveryBye"))
		}
	})

	t.Run("GetDeviceInformation", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetDeviceInformation", "").ok(t, soap.NSDevice, "GetDeviceInformation")
		for name, want := range map[string]string{"Manufacturer": "Xiaomi", "Model": "Dafang", "FirmwareVersion": "freecam 1.2.3", "SerialNumber": "SN0042", "HardwareId": "T20"} {
			if got := b.Value(name); got != want {
				t.Errorf("%s: got %q, want %q", name, got, want)
			}
		}
	})

	t.Run("GetNetworkInterfaces", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetNetworkInterfaces", "").ok(t, soap.NSDevice, "GetNetworkInterfaces")
		ni := b.Get("NetworkInterfaces")
		for _, c := range []struct{ path, want string }{
			{"Enabled", "true"}, {"Info/Name", "wlan0"}, {"Info/HwAddress", "aa:bb:cc:dd:ee:ff"}, {"Info/MTU", "1500"},
			{"IPv4/Enabled", "true"}, {"IPv4/Config/FromDHCP/Address", "192.168.1.20"},
			{"IPv4/Config/FromDHCP/PrefixLength", "24"}, {"IPv4/Config/DHCP", "true"},
		} {
			if got := ni.Value(strings.Split(c.path, "/")...); got != c.want {
				t.Errorf("%s: got %q, want %q", c.path, got, c.want)
			}
		}
		if ni.Attr("token") != "wlan0" {
			t.Errorf("token: got %q, want wlan0", ni.Attr("token"))
		}
	})

	t.Run("GetScopes", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetScopes", "").ok(t, soap.NSDevice, "GetScopes")
		var got []string
		for _, s := range b.All("Scopes") {
			if s.Value("ScopeDef") != "Fixed" {
				t.Errorf("ScopeDef: got %q, want Fixed", s.Value("ScopeDef"))
			}
			got = append(got, s.Value("ScopeItem"))
		}
		if want := Scopes(testInfo(), true); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("scopes: got %v, want %v", got, want)
		}
	})

	t.Run("GetHostname", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetHostname", "").ok(t, soap.NSDevice, "GetHostname")
		if b.Value("HostnameInformation", "Name") != "dafang" || b.Value("HostnameInformation", "FromDHCP") != "false" {
			t.Errorf("got %q/%q, want dafang/false", b.Value("HostnameInformation", "Name"), b.Value("HostnameInformation", "FromDHCP"))
		}
	})

	t.Run("GetNTP", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetNTP", "").ok(t, soap.NSDevice, "GetNTP")
		m := b.Get("NTPInformation").All("NTPManual")
		if len(m) != 2 || m[0].Value("Type") != "DNS" || m[0].Value("DNSname") != "pool.ntp.org" || m[1].Value("IPv4Address") != "192.168.1.1" {
			t.Errorf("got %d NTPManual entries, want pool.ntp.org (DNS) and 192.168.1.1", len(m))
		}
	})

	t.Run("GetDNS", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetDNS", "").ok(t, soap.NSDevice, "GetDNS")
		if got := b.Value("DNSInformation", "DNSFromDHCP", "IPv4Address"); got != "192.168.1.1" {
			t.Errorf("DNSFromDHCP: got %q, want 192.168.1.1", got)
		}
	})

	t.Run("GetNetworkProtocols", func(t *testing.T) {
		b := e.call(soap.NSDevice, "GetNetworkProtocols", "").ok(t, soap.NSDevice, "GetNetworkProtocols")
		got := map[string]string{}
		for _, p := range b.All("NetworkProtocols") {
			got[p.Value("Name")] = p.Value("Port")
		}
		if got["HTTP"] != "8080" || got["RTSP"] != "8554" || got["HTTPS"] != "443" || len(got) != 3 {
			t.Errorf("got %v, want HTTP 8080, HTTPS 443, RTSP 8554", got)
		}
	})

	t.Run("GetWsdlUrl and GetEndpointReference", func(t *testing.T) {
		if got := e.call(soap.NSDevice, "GetWsdlUrl", "").ok(t, soap.NSDevice, "GetWsdlUrl").Value("WsdlUrl"); !strings.HasPrefix(got, "http://www.onvif.org/") {
			t.Errorf("WsdlUrl: got %q", got)
		}
		if got := e.call(soap.NSDevice, "GetEndpointReference", "").ok(t, soap.NSDevice, "GetEndpointReference").Value("GUID"); got != EndpointUUID(testInfo()) {
			t.Errorf("GUID: got %q, want %q", got, EndpointUUID(testInfo()))
		}
	})

	t.Run("SystemReboot is not implemented", func(t *testing.T) {
		reason := e.call(soap.NSDevice, "SystemReboot", "").wantFault(t, 500, "Receiver", soap.SubActionNotSupported)
		if reason != soap.ReasonNotImplemented {
			t.Errorf("reason: got %q, want %q", reason, soap.ReasonNotImplemented)
		}
	})
}

func TestSetSystemDateAndTime(t *testing.T) {
	manual := func(y, mo, d, h, mi, s int) string {
		return "<ns0:DateTimeType>Manual</ns0:DateTimeType><ns0:DaylightSavings>false</ns0:DaylightSavings>" +
			"<ns0:UTCDateTime><Time xmlns=\"http://www.onvif.org/ver10/schema\"><Hour>" + strconv.Itoa(h) + "</Hour><Minute>" + strconv.Itoa(mi) + "</Minute><Second>" + strconv.Itoa(s) +
			"</Second></Time><Date xmlns=\"http://www.onvif.org/ver10/schema\"><Year>" + strconv.Itoa(y) + "</Year><Month>" + strconv.Itoa(mo) + "</Month><Day>" + strconv.Itoa(d) + "</Day></Date></ns0:UTCDateTime>"
	}
	t.Run("manual sets the clock", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.call(soap.NSDevice, "SetSystemDateAndTime", manual(2026, 1, 2, 3, 4, 5)).ok(t, soap.NSDevice, "SetSystemDateAndTime")
		want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if len(e.clock.set) != 1 || !e.clock.set[0].Equal(want) {
			t.Errorf("SetClock calls: got %v, want [%v]", e.clock.set, want)
		}
	})
	t.Run("invalid date", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.call(soap.NSDevice, "SetSystemDateAndTime", manual(2026, 2, 30, 3, 4, 5)).
			wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:InvalidDateTime")
		if len(e.clock.set) != 0 {
			t.Errorf("SetClock called with %v", e.clock.set)
		}
	})
	t.Run("NTP is what it is already", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.call(soap.NSDevice, "SetSystemDateAndTime", "<ns0:DateTimeType>NTP</ns0:DateTimeType><ns0:DaylightSavings>false</ns0:DaylightSavings>").
			ok(t, soap.NSDevice, "SetSystemDateAndTime")
	})
	t.Run("no SetClock", func(t *testing.T) {
		e := newTestEnv(t, func(o *Options) { o.SetClock = nil })
		reason := e.call(soap.NSDevice, "SetSystemDateAndTime", manual(2026, 1, 2, 3, 4, 5)).wantFault(t, 400, "Sender", soap.SubInvalidArgVal)
		if reason != "the clock is set by the system (NTP)" {
			t.Errorf("reason: got %q", reason)
		}
	})
	t.Run("viewer may not", func(t *testing.T) {
		e := newTestEnv(t, nil)
		r := e.post(DevicePath, zeepEnvelope("SetSystemDateAndTime", soap.NSDevice, manual(2026, 1, 2, 3, 4, 5), "viewer", "watch", e.freshNonce()))
		r.wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if len(e.clock.set) != 0 {
			t.Errorf("SetClock called with %v", e.clock.set)
		}
	})
}
