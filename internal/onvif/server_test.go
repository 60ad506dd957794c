package onvif

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

func TestNewRequires(t *testing.T) {
	ok := Options{Accounts: newFakeAccounts(), Info: testInfo, Stream: func() (StreamInfo, bool) { return testStream(), true }}
	for _, c := range []struct {
		name   string
		change func(*Options)
	}{
		{"Accounts", func(o *Options) { o.Accounts = nil }},
		{"Info", func(o *Options) { o.Info = nil }},
		{"Stream", func(o *Options) { o.Stream = nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := ok
			c.change(&o)
			if _, err := New(o); err == nil || !strings.Contains(err.Error(), c.name) {
				t.Errorf("got %v, want an error naming %s", err, c.name)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Errorf("New with the required options: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	m := soap.NSMedia
	t.Run("wrong password", func(t *testing.T) {
		e := newTestEnv(t, nil)
		r := e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", "admin", "guess", e.freshNonce()))
		r.wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		log := e.log.String()
		if !strings.Contains(log, "login refused") || !strings.Contains(log, "user=admin") || !strings.Contains(log, "addr=127.0.0.1") ||
			!strings.Contains(log, "wrong password") || strings.Contains(log, "guess") || !strings.Contains(log, "level=INFO") {
			t.Errorf("log: got %q, want an Info line naming user, address and reason, never the password", log)
		}
		if e.acc.fails != 1 || e.acc.succeeds != 0 {
			t.Errorf("throttle: got %d fails %d successes, want 1 and 0", e.acc.fails, e.acc.succeeds)
		}
	})
	t.Run("wrong password on an open operation", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.post(DevicePath, zeepEnvelope("GetSystemDateAndTime", soap.NSDevice, "", "admin", "guess", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
	})
	t.Run("account without digest", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", "plain", "nodigest", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if !strings.Contains(e.log.String(), "does not allow digest logins") || !strings.Contains(e.log.String(), "freecam passwd --digest plain") {
			t.Errorf("log: got %q, want the reason to say the account has no digest password and how to give it one", e.log.String())
		}
	})
	t.Run("replayed nonce", func(t *testing.T) {
		e := newTestEnv(t, nil)
		env := zeepEnvelope("GetProfiles", m, "", "admin", "secret", e.freshNonce())
		e.post(MediaPath, env).ok(t, m, "GetProfiles")
		e.post(MediaPath, env).wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if !strings.Contains(e.log.String(), soap.ReasonReplay) {
			t.Errorf("log: got %q, want %q", e.log.String(), soap.ReasonReplay)
		}
		if e.acc.fails != 0 {
			t.Errorf("a replay counted %d failed logins, want 0", e.acc.fails)
		}
	})
	t.Run("stale Created", func(t *testing.T) {
		e := newTestEnv(t, func(o *Options) { o.Now = func() time.Time { return testNow.Add(time.Hour) } })
		e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", "admin", "secret", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
	})
	t.Run("throttled", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.acc.throttled = true
		e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", "admin", "secret", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if !strings.Contains(e.log.String(), "too many failed attempts") {
			t.Errorf("log: got %q, want the throttle named", e.log.String())
		}
	})
	t.Run("viewer calls an admin operation", func(t *testing.T) {
		e := newTestEnv(t, nil)
		reason := e.post(PTZPath, zeepEnvelope("ContinuousMove", soap.NSPTZ, profileTok, "viewer", "watch", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if want := "account viewer is a viewer: ContinuousMove needs an admin account"; reason != want {
			t.Errorf("fault reason: got %q, want %q (not a password problem)", reason, want)
		}
		if n := e.ptz.calls.Load(); n != 0 {
			t.Errorf("the PTZ service was called %d times, want 0", n)
		}
		r := e.post(PTZPath, zeepEnvelope("ContinuousMove", soap.NSPTZ, profileTok, "admin", "secret", e.freshNonce()))
		if got := r.ok(t, soap.NSPTZ, "ContinuousMove").Attr("User"); got != "admin" {
			t.Errorf("Call.User: got %q, want admin", got)
		}
	})
	t.Run("a huge user name is cut in the log", func(t *testing.T) {
		e := newTestEnv(t, nil)
		huge := strings.Repeat("B", 250000)
		e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", huge, "x", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if got := e.log.String(); len(got) > 1000 || !strings.Contains(got, strings.Repeat("B", 64)+"…") {
			t.Errorf("log: got %d bytes, want the name cut to 64 bytes:\n%.300s", len(got), got)
		}
	})
	t.Run("viewer reads", func(t *testing.T) {
		e := newTestEnv(t, nil)
		e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", "viewer", "watch", e.freshNonce())).ok(t, m, "GetProfiles")
	})
	t.Run("PasswordText", func(t *testing.T) {
		e := newTestEnv(t, nil)
		text := func(pw string) string {
			return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><wsse:Security xmlns:wsse="` + soap.NSWSSE + `"><wsse:UsernameToken><wsse:Username>viewer</wsse:Username><wsse:Password Type="` + soap.TypePasswordText + `">` + pw + `</wsse:Password></wsse:UsernameToken></wsse:Security></s:Header><s:Body><GetProfiles xmlns="` + m + `"/></s:Body></s:Envelope>`
		}
		e.post(MediaPath, text("watch")).ok(t, m, "GetProfiles")
		e.post(MediaPath, text("nope")).wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if e.acc.verifies != 2 {
			t.Errorf("Accounts.Verify called %d times, want 2", e.acc.verifies)
		}
	})
	t.Run("missing credentials", func(t *testing.T) {
		e := newTestEnv(t, nil)
		r := e.post(MediaPath, npmEnvelope("GetProfiles", m, "", "", "", nil))
		r.wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
		ch := r.header.Values("WWW-Authenticate")
		if len(ch) != 1 || !strings.HasPrefix(ch[0], "Digest ") {
			t.Errorf("WWW-Authenticate: got %q, want one Digest challenge", ch)
		}
	})
	t.Run("HTTP Digest", func(t *testing.T) {
		e := newTestEnv(t, nil)
		env := npmEnvelope("GetProfiles", m, "", "", "", nil)
		e.post(MediaPath, env, "Authorization", digestAuthorization("viewer", "watch", "POST", MediaPath)).ok(t, m, "GetProfiles")
		r := e.post(MediaPath, env, "Authorization", digestAuthorization("viewer", "nope", "POST", MediaPath))
		r.wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
		if ch := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Digest ") || strings.Contains(ch, "stale") {
			t.Errorf("WWW-Authenticate: got %q, want a Digest challenge, not stale", ch)
		}
		// Basic is never accepted on plain HTTP: it counts as no credentials.
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("viewer:watch"))
		e.post(MediaPath, env, "Authorization", basic).wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
	})
	t.Run("HTTP Digest stale", func(t *testing.T) {
		e := newTestEnv(t, func(o *Options) { o.StaleDigest = func(error) bool { return true } })
		r := e.post(MediaPath, npmEnvelope("GetProfiles", m, "", "", "", nil), "Authorization", digestAuthorization("viewer", "nope", "POST", MediaPath))
		if ch := r.header.Get("WWW-Authenticate"); !strings.Contains(ch, "stale=true") {
			t.Errorf("WWW-Authenticate: got %q, want stale=true", ch)
		}
	})
	t.Run("open operations need no credentials", func(t *testing.T) {
		e := newTestEnv(t, nil)
		for _, op := range []string{"GetSystemDateAndTime", "GetCapabilities", "GetServices", "GetServiceCapabilities", "GetWsdlUrl", "GetHostname"} {
			e.post(DevicePath, zeepEnvelope(op, soap.NSDevice, "", "", "", nil)).ok(t, soap.NSDevice, op)
		}
		e.post(MediaPath, zeepEnvelope("GetServiceCapabilities", m, "", "", "", nil)).ok(t, m, "GetServiceCapabilities")
		for _, op := range []string{"GetDeviceInformation", "GetNetworkInterfaces", "GetScopes", "GetNTP", "GetDNS", "GetNetworkProtocols"} {
			e.post(DevicePath, zeepEnvelope(op, soap.NSDevice, "", "", "", nil)).wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
		}
	})
}

func TestTransportFaults(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxBody = 4096 })
	t.Run("oversize", func(t *testing.T) {
		big := npmEnvelope("GetProfiles", soap.NSMedia, "<x>"+strings.Repeat("a", 8192)+"</x>", "", "", nil)
		e.post(MediaPath, big).wantFault(t, http.StatusRequestEntityTooLarge, "Sender")
	})
	t.Run("malformed", func(t *testing.T) {
		e.post(MediaPath, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetProfiles>`).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubWellFormed)
		e.post(MediaPath, `not xml at all`).wantFault(t, http.StatusBadRequest, "Sender", soap.SubWellFormed)
	})
	t.Run("unknown operation", func(t *testing.T) {
		for _, c := range []struct{ ns, op string }{{soap.NSDevice, "GetUsers"}, {soap.NSMedia, "SetOSD"}, {"urn:nowhere", "Anything"}, {soap.NSImaging, "GetImagingSettings"}} {
			r := e.post(DevicePath, zeepEnvelope(c.op, c.ns, "", "admin", "secret", e.freshNonce()))
			if reason := r.wantFault(t, http.StatusInternalServerError, "Receiver", soap.SubActionNotSupported); reason != "Optional Action Not Implemented" {
				t.Errorf("%s: reason %q", c.op, reason)
			}
		}
	})
	t.Run("GET", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+DevicePath, nil)
		r := e.do(req)
		r.wantFault(t, http.StatusMethodNotAllowed, "Sender")
		if r.header.Get("Allow") != "POST" {
			t.Errorf("Allow: got %q, want POST", r.header.Get("Allow"))
		}
	})
	t.Run("SOAP 1.1", func(t *testing.T) {
		r := e.post(DevicePath, `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><a:GetHostname xmlns:a="`+soap.NSDevice+`"/></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
		if r.env.XMLName.Space != soap.NSSoap11 || r.body().XMLName.Local != "GetHostnameResponse" {
			t.Errorf("got %v / %v, want a SOAP 1.1 GetHostnameResponse", r.env.XMLName, nameOf(r.body()))
		}
	})
	t.Run("stopped", func(t *testing.T) {
		e.enabled.Store(false)
		defer e.enabled.Store(true)
		r := e.post(DevicePath, zeepEnvelope("GetSystemDateAndTime", soap.NSDevice, "", "", "", nil))
		if reason := r.wantFault(t, http.StatusServiceUnavailable, "Receiver"); reason != "ONVIF service is stopped" {
			t.Errorf("reason: got %q", reason)
		}
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+SnapshotPath, nil)
		if r := e.do(req); r.status != http.StatusServiceUnavailable {
			t.Errorf("snapshot while stopped: got %d, want 503", r.status)
		}
	})
}

func TestRoutingToEventsAndPTZ(t *testing.T) {
	e := newTestEnv(t, nil)
	sub := EventsPath + "/subscription/0123abcd"
	e.post(sub, zeepEnvelope("PullMessages", soap.NSEvents, "", "viewer", "watch", e.freshNonce())).ok(t, soap.NSEvents, "PullMessages")
	e.post(sub, zeepEnvelope("Renew", soap.NSWSNT, "", "viewer", "watch", e.freshNonce()))
	e.post(PTZPath, zeepEnvelope("GetStatus", soap.NSPTZ, profileTok, "viewer", "watch", e.freshNonce())).ok(t, soap.NSPTZ, "GetStatus")
	if n := e.events.calls.Load(); n != 2 {
		t.Errorf("events service calls: got %d, want 2 (tev and wsnt)", n)
	}
	if got := e.events.paths; len(got) != 2 || got[0] != sub || got[1] != sub {
		t.Errorf("events service saw paths %v, want the subscription path twice", got)
	}
	if n := e.ptz.calls.Load(); n != 1 {
		t.Errorf("PTZ service calls: got %d, want 1", n)
	}
	// An operation the events service does not implement never reaches it (the fake here
	// implements only a few; the real broker answers Subscribe).
	e.post(EventsPath, zeepEnvelope("Subscribe", soap.NSWSNT, "", "viewer", "watch", e.freshNonce())).
		wantFault(t, http.StatusInternalServerError, "Receiver", soap.SubActionNotSupported)
	if n := e.events.calls.Load(); n != 2 {
		t.Errorf("events service calls: got %d, want still 2", n)
	}
}

func TestSnapshot(t *testing.T) {
	e := newTestEnv(t, nil)
	get := func(auth string) *reply {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+SnapshotPath, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return e.do(req)
	}
	r := get(digestAuthorization("viewer", "watch", "GET", SnapshotPath))
	if r.status != http.StatusOK || !bytes.Equal(r.raw, []byte{0xff, 0xd8, 0xff, 0xd9}) || r.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("with digest: got %d %q %x, want 200 image/jpeg ffd8ffd9", r.status, r.header.Get("Content-Type"), r.raw)
	}
	for name, auth := range map[string]string{
		"no credentials": "",
		"wrong password": digestAuthorization("viewer", "nope", "GET", SnapshotPath),
		"basic":          "Basic " + base64.StdEncoding.EncodeToString([]byte("viewer:watch")),
	} {
		r := get(auth)
		ch := r.header.Values("WWW-Authenticate")
		if r.status != http.StatusUnauthorized || len(ch) != 1 || !strings.HasPrefix(ch[0], "Digest ") {
			t.Errorf("%s: got %d with challenges %q, want 401 with one Digest challenge", name, r.status, ch)
		}
		if bytes.Contains(r.raw, []byte{0xff, 0xd8}) {
			t.Errorf("%s: the picture was sent", name)
		}
	}
	e.acc.throttled = true
	if r := get(digestAuthorization("viewer", "nope", "GET", SnapshotPath)); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3" {
		t.Errorf("throttled: got %d Retry-After %q, want 429 and 3", r.status, r.header.Get("Retry-After"))
	}
}

// TestHomeAssistant replays Home Assistant's ONVIF config flow and setup (reference §2.3) as
// zeep-async sends them, checking what HA reads in each answer.
func TestHomeAssistant(t *testing.T) {
	e := newTestEnv(t, nil)
	d, m := soap.NSDevice, soap.NSMedia
	user, pw := "admin", "secret"

	// Config flow 1: GetSystemDateAndTime without credentials; UTCDateTime must be there.
	sdt := e.post(DevicePath, zeepEnvelope("GetSystemDateAndTime", d, "", "", "", nil)).ok(t, d, "GetSystemDateAndTime").Get("SystemDateAndTime")
	if sdt.Value("UTCDateTime", "Date", "Year") != "2025" || sdt.Value("UTCDateTime", "Time", "Second") != "45" {
		t.Fatalf("UTCDateTime: got %q", sdt.Value("UTCDateTime", "Date", "Year"))
	}
	if sdt.Value("DateTimeType") != "NTP" {
		t.Errorf("DateTimeType: got %q, want NTP (Manual makes HA call SetSystemDateAndTime)", sdt.Value("DateTimeType"))
	}
	// GetCapabilities{Category: All}: the XAddrs HA uses for every other service.
	caps := e.post(DevicePath, zeepEnvelope("GetCapabilities", d, "<ns0:Category>All</ns0:Category>", user, pw, e.freshNonce())).
		ok(t, d, "GetCapabilities").Get("Capabilities")
	mediaXAddr := caps.Value("Media", "XAddr")
	if mediaXAddr != e.ts.URL+MediaPath || caps.Value("Events", "XAddr") != e.ts.URL+EventsPath || caps.Value("PTZ", "XAddr") != e.ts.URL+PTZPath {
		t.Fatalf("XAddrs: media %q events %q ptz %q", mediaXAddr, caps.Value("Events", "XAddr"), caps.Value("PTZ", "XAddr"))
	}
	mediaPath := strings.TrimPrefix(mediaXAddr, e.ts.URL)

	// 2: GetNetworkInterfaces: the first enabled interface's HwAddress is the unique id.
	ifs := e.post(DevicePath, zeepEnvelope("GetNetworkInterfaces", d, "", user, pw, e.freshNonce())).ok(t, d, "GetNetworkInterfaces").All("NetworkInterfaces")
	if len(ifs) == 0 || ifs[0].Value("Enabled") != "true" || ifs[0].Value("Info", "HwAddress") != "aa:bb:cc:dd:ee:ff" {
		t.Fatalf("NetworkInterfaces: got %d, first %q", len(ifs), ifs[0].Value("Info", "HwAddress"))
	}

	// 3: GetProfiles: at least one H264 encoder.
	ps := e.post(mediaPath, zeepEnvelope("GetProfiles", m, "", user, pw, e.freshNonce())).ok(t, m, "GetProfiles").All("Profiles")
	h264 := 0
	for _, p := range ps {
		if p.Value("VideoEncoderConfiguration", "Encoding") == "H264" {
			h264++
		}
	}
	if h264 == 0 {
		t.Fatalf("no H264 profile: HA would abort with no_h264")
	}

	// Setup: GetSystemDateAndTime again, GetDeviceInformation, GetNetworkInterfaces, media
	// GetServiceCapabilities, GetProfiles (token, name, resolution, PTZ spaces), GetStreamUri.
	e.post(DevicePath, zeepEnvelope("GetSystemDateAndTime", d, "", user, pw, e.freshNonce())).ok(t, d, "GetSystemDateAndTime")
	di := e.post(DevicePath, zeepEnvelope("GetDeviceInformation", d, "", user, pw, e.freshNonce())).ok(t, d, "GetDeviceInformation")
	for _, f := range []string{"Manufacturer", "Model", "FirmwareVersion", "SerialNumber"} {
		if di.Value(f) == "" || di.Value(f) == "<absent>" {
			t.Errorf("GetDeviceInformation %s missing", f)
		}
	}
	e.post(DevicePath, zeepEnvelope("GetNetworkInterfaces", d, "", user, pw, e.freshNonce())).ok(t, d, "GetNetworkInterfaces")
	mc := e.post(mediaPath, zeepEnvelope("GetServiceCapabilities", m, "", user, pw, e.freshNonce())).ok(t, m, "GetServiceCapabilities")
	if mc.Get("Capabilities").Attr("SnapshotUri") != "true" {
		t.Errorf("media SnapshotUri: got %q, HA would not offer snapshots", mc.Get("Capabilities").Attr("SnapshotUri"))
	}
	p := e.post(mediaPath, zeepEnvelope("GetProfiles", m, "", user, pw, e.freshNonce())).ok(t, m, "GetProfiles").Get("Profiles")
	if p.Attr("token") == "" || p.Value("Name") == "" || p.Value("VideoEncoderConfiguration", "Resolution", "Width") != "1920" ||
		p.Value("VideoSourceConfiguration", "SourceToken") != VideoSourceToken || p.Get("PTZConfiguration") == nil {
		t.Errorf("profile: token %q name %q width %q", p.Attr("token"), p.Value("Name"), p.Value("VideoEncoderConfiguration", "Resolution", "Width"))
	}
	su := e.post(mediaPath, zeepEnvelope("GetStreamUri", m,
		`<ns0:StreamSetup><ns1:Stream xmlns:ns1="http://www.onvif.org/ver10/schema">RTP-Unicast</ns1:Stream><ns1:Transport xmlns:ns1="http://www.onvif.org/ver10/schema"><ns1:Protocol>RTSP</ns1:Protocol></ns1:Transport></ns0:StreamSetup><ns0:ProfileToken>`+p.Attr("token")+`</ns0:ProfileToken>`,
		user, pw, e.freshNonce())).ok(t, m, "GetStreamUri")
	if got := su.Value("MediaUri", "Uri"); got != "rtsp://127.0.0.1:8554/unicast" {
		t.Errorf("stream URI: got %q, want rtsp://127.0.0.1:8554/unicast", got)
	}
	snap := e.post(mediaPath, zeepEnvelope("GetSnapshotUri", m, "<ns0:ProfileToken>"+p.Attr("token")+"</ns0:ProfileToken>", user, pw, e.freshNonce())).
		ok(t, m, "GetSnapshotUri").Value("MediaUri", "Uri")
	// HA fetches it with HTTP Digest.
	req, _ := http.NewRequest(http.MethodGet, snap, nil)
	req.Header.Set("Authorization", digestAuthorization(user, pw, "GET", strings.TrimPrefix(snap, e.ts.URL)))
	if r := e.do(req); r.status != http.StatusOK {
		t.Errorf("snapshot: got %d, want 200", r.status)
	}
}

// TestNPMConnect replays the npm onvif 0.8.3 client's Cam.connect (cam.js): GetSystemDateAndTime
// unauthenticated, GetServices(true), then GetProfiles and GetVideoSources, checking what
// cam.js and media.js parse (getActiveSources needs a profile whose
// videoSourceConfiguration.sourceToken is a video source's $.token).
func TestNPMConnect(t *testing.T) {
	e := newTestEnv(t, nil)
	d, m := soap.NSDevice, soap.NSMedia
	sdt := e.post("/onvif/device_service", npmEnvelope("GetSystemDateAndTime", d, "", "", "", nil)).ok(t, d, "GetSystemDateAndTime")
	if sdt.Get("SystemDateAndTime", "UTCDateTime", "Date", "Day") == nil {
		t.Fatalf("systemDateAndTime.UTCDateTime missing")
	}
	svcs := e.post("/onvif/device_service", npmEnvelope("GetServices", d, "<IncludeCapability>true</IncludeCapability>", "admin", "secret", e.freshNonce())).
		ok(t, d, "GetServices").All("Service")
	uri := map[string]string{}
	for _, s := range svcs {
		// cam.js: only www.onvif.org namespaces, uri[path segment 2] = XAddr.
		ns := strings.TrimPrefix(s.Value("Namespace"), "http://www.onvif.org/")
		if parts := strings.Split(ns, "/"); len(parts) > 1 {
			uri[parts[1]] = s.Value("XAddr")
		}
	}
	if uri["media"] != e.ts.URL+MediaPath || uri["device"] != e.ts.URL+DevicePath || uri["events"] != e.ts.URL+EventsPath || uri["ptz"] != e.ts.URL+PTZPath {
		t.Fatalf("cam.uri: got %v", uri)
	}
	mediaPath := strings.TrimPrefix(uri["media"], e.ts.URL)
	ps := e.post(mediaPath, npmEnvelope("GetProfiles", m, "", "admin", "secret", e.freshNonce())).ok(t, m, "GetProfiles").All("Profiles")
	vs := e.post(mediaPath, npmEnvelope("GetVideoSources", m, "", "admin", "secret", e.freshNonce())).ok(t, m, "GetVideoSources").All("VideoSources")
	if len(ps) == 0 || len(vs) == 0 {
		t.Fatalf("got %d profiles and %d video sources", len(ps), len(vs))
	}
	if ps[0].Value("VideoSourceConfiguration", "SourceToken") != vs[0].Attr("token") {
		t.Errorf("profile sourceToken %q is not the video source's token %q: cam.js throws 'Unrecognized configuration'",
			ps[0].Value("VideoSourceConfiguration", "SourceToken"), vs[0].Attr("token"))
	}
	// activeSource: encoding, resolution, fps, bitrate, ptz token.
	vec := ps[0].Get("VideoEncoderConfiguration")
	if vec.Value("Encoding") != "H264" || vec.Value("RateControl", "FrameRateLimit") != "20" || vec.Value("RateControl", "BitrateLimit") != "2000" ||
		ps[0].Get("PTZConfiguration").Attr("token") != "PTZConfig_1" {
		t.Errorf("active source fields: %q %q %q %q", vec.Value("Encoding"), vec.Value("RateControl", "FrameRateLimit"),
			vec.Value("RateControl", "BitrateLimit"), ps[0].Get("PTZConfiguration").Attr("token"))
	}
	// media.js getStreamUri and getSnapshotUri bodies.
	su := e.post(mediaPath, npmEnvelope("GetStreamUri", m, `<StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">RTP-Unicast</Stream><Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>Profile_1</ProfileToken>`, "admin", "secret", e.freshNonce()))
	if got := su.ok(t, m, "GetStreamUri").Value("MediaUri", "Uri"); got != "rtsp://127.0.0.1:8554/unicast" {
		t.Errorf("mediaUri.uri: got %q", got)
	}
	sn := e.post(mediaPath, npmEnvelope("GetSnapshotUri", m, `<ProfileToken>Profile_1</ProfileToken>`, "admin", "secret", e.freshNonce()))
	if got := sn.ok(t, m, "GetSnapshotUri").Value("MediaUri", "Uri"); got != e.ts.URL+SnapshotPath {
		t.Errorf("snapshot mediaUri.uri: got %q", got)
	}
	// getDeviceInformation, getHostname, getScopes.
	e.post(DevicePath, npmEnvelope("GetDeviceInformation", d, "", "admin", "secret", e.freshNonce())).ok(t, d, "GetDeviceInformation")
	if n := e.post(DevicePath, npmEnvelope("GetHostname", d, "", "admin", "secret", e.freshNonce())).ok(t, d, "GetHostname").Value("HostnameInformation", "Name"); n != "dafang" {
		t.Errorf("hostnameInformation.name: got %q", n)
	}
	if sc := e.post(DevicePath, npmEnvelope("GetScopes", d, "", "admin", "secret", e.freshNonce())).ok(t, d, "GetScopes").All("Scopes"); len(sc) < 4 {
		t.Errorf("got %d scopes", len(sc))
	}
	// A wrong password: cam.js gets an ONVIF SOAP Fault 'Sender not Authorized'.
	r := e.post(mediaPath, npmEnvelope("GetProfiles", m, "", "admin", "wrong", e.freshNonce()))
	if reason := r.wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized); reason != "Sender not Authorized" {
		t.Errorf("reason: got %q", reason)
	}
}

func TestScopesAndEndpointUUID(t *testing.T) {
	info := testInfo()
	want := []string{
		"onvif://www.onvif.org/Profile/Streaming",
		"onvif://www.onvif.org/type/video_encoder",
		"onvif://www.onvif.org/type/ptz",
		"onvif://www.onvif.org/hardware/Dafang",
		"onvif://www.onvif.org/name/Front%20Door",
		"onvif://www.onvif.org/mac/aa:bb:cc:dd:ee:ff",
		"onvif://www.onvif.org/location/garden",
	}
	if got := Scopes(info, true); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v, want %v", got, want)
	}
	info.Location, info.Name = "", ""
	if got := Scopes(info, false); len(got) != 5 || got[3] != "onvif://www.onvif.org/name/dafang" {
		t.Errorf("without location, name and PTZ: got %v", got)
	}

	u := EndpointUUID(testInfo())
	if !strings.HasPrefix(u, "urn:uuid:") || len(u) != len("urn:uuid:")+36 || u[len("urn:uuid:")+14] != '5' {
		t.Fatalf("got %q, want urn:uuid: and a version 5 UUID", u)
	}
	if v := u[len("urn:uuid:")+19]; !strings.ContainsRune("89ab", rune(v)) {
		t.Errorf("variant nibble: got %c, want 8, 9, a or b", v)
	}
	renamed := testInfo()
	renamed.Name, renamed.Hostname = "Back Door", "other"
	if EndpointUUID(renamed) != u {
		t.Errorf("the UUID changed with the name; it must follow the MAC")
	}
	other := testInfo()
	other.Interfaces[0].MAC = []byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00}
	if EndpointUUID(other) == u {
		t.Errorf("two MACs give the same UUID")
	}
	noMAC := testInfo()
	noMAC.Interfaces = nil
	if a, b := EndpointUUID(noMAC), EndpointUUID(noMAC); a != b || a == u {
		t.Errorf("hostname-based UUID: got %q and %q (MAC-based %q)", a, b, u)
	}
	// RFC 9562 test vector: v5 of the DNS namespace and "www.example.com".
	if got := uuidV5("\x6b\xa7\xb8\x10\x9d\xad\x11\xd1\x80\xb4\x00\xc0\x4f\xd4\x30\xc8", "www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuidV5: got %s, want 2ed6657d-e927-568b-95e1-2665a8aea6a2", got)
	}
}
