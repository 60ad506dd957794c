package onvif

import (
	"bytes"
	"crypto/md5" //nolint:gosec // HTTP Digest MD5, as clients send it
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
	"github.com/freecam/freecam/internal/onvif/soap/soaptest"
	"github.com/freecam/freecam/internal/web/auth"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 9, 30, 0, 16, 45, 0, time.UTC)

// --- accounts

type fakeUser struct {
	password string
	role     auth.Role
	digest   bool
}

// fakeAccounts stands in for *auth.Authenticator: real password and HTTP Digest checks, a
// throttle that can be switched on, and counters of what the server asked.
type fakeAccounts struct {
	mu        sync.Mutex
	users     map[string]fakeUser
	throttled bool
	fails     int
	succeeds  int
	verifies  int
}

const testRealm = "freecam"

func newFakeAccounts() *fakeAccounts {
	return &fakeAccounts{users: map[string]fakeUser{
		"admin":  {"secret", auth.Admin, true},
		"viewer": {"watch", auth.Viewer, true},
		"plain":  {"nodigest", auth.Admin, false},
	}}
}

func (a *fakeAccounts) Verify(name, password, _ string) (auth.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.verifies++
	if a.throttled {
		return auth.User{}, &auth.ThrottledError{Wait: 3 * time.Second}
	}
	u, ok := a.users[name]
	if !ok || u.password != password {
		a.fails++
		return auth.User{}, auth.ErrBadCredentials
	}
	return auth.User{Name: name, Role: u.role, Via: "basic"}, nil
}

func (a *fakeAccounts) DigestSecret(name string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[name]
	if !ok || !u.digest {
		return "", false
	}
	return u.password, true
}

func (a *fakeAccounts) Role(name string) (auth.Role, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[name]
	return u.role, ok
}

func (a *fakeAccounts) Allow(string, string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.throttled {
		return &auth.ThrottledError{Wait: 3 * time.Second}
	}
	return nil
}

func (a *fakeAccounts) Fail(string, string) {
	a.mu.Lock()
	a.fails++
	a.mu.Unlock()
}

func (a *fakeAccounts) Succeed(string, string) {
	a.mu.Lock()
	a.succeeds++
	a.mu.Unlock()
}

const testDigestNonce = "dGVzdG5vbmNl"

func (a *fakeAccounts) DigestChallenge(stale bool) string {
	c := `Digest realm="` + testRealm + `", qop="auth", algorithm=MD5, nonce="` + testDigestNonce + `"`
	if stale {
		c += ", stale=true"
	}
	return c
}

// CheckDigest is RFC 7616 with MD5 and qop=auth, without nonce counting.
func (a *fakeAccounts) CheckDigest(r *http.Request) (auth.User, error) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	if h == "" {
		return auth.User{}, auth.ErrNoCredentials
	}
	if !strings.EqualFold(scheme, "Digest") {
		return auth.User{}, auth.ErrBadCredentials
	}
	p := digestParams(rest)
	a.mu.Lock()
	u, ok := a.users[p["username"]]
	throttled := a.throttled
	a.mu.Unlock()
	if throttled {
		return auth.User{}, &auth.ThrottledError{Wait: 3 * time.Second}
	}
	if !ok || !u.digest || p["nonce"] != testDigestNonce || p["uri"] != r.RequestURI || p["realm"] != testRealm {
		return auth.User{}, auth.ErrBadCredentials
	}
	want := digestResponse(p["username"], u.password, r.Method, p["uri"], p["nc"], p["cnonce"])
	if p["response"] != want {
		return auth.User{}, auth.ErrBadCredentials
	}
	return auth.User{Name: p["username"], Role: u.role, Via: "digest"}, nil
}

func digestParams(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		m[k] = strings.Trim(v, `"`)
	}
	return m
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s)) //nolint:gosec // HTTP Digest
	return hex.EncodeToString(h[:])
}

func digestResponse(user, password, method, uri, nc, cnonce string) string {
	ha1 := md5hex(user + ":" + testRealm + ":" + password)
	ha2 := md5hex(method + ":" + uri)
	return md5hex(ha1 + ":" + testDigestNonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
}

// digestAuthorization is the header a client sends after the challenge.
func digestAuthorization(user, password, method, uri string) string {
	nc, cnonce := "00000001", "0a4f113b"
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", qop=auth, nc=%s, cnonce="%s", response="%s"`,
		user, testRealm, testDigestNonce, uri, nc, cnonce, digestResponse(user, password, method, uri, nc, cnonce))
}

// --- stand-ins for the event and PTZ services

type fakeService struct {
	ns    string // the service's namespace prefix, "tev" or "tptz"
	calls atomic.Int32
	mu    sync.Mutex
	paths []string
}

func (f *fakeService) Access(op string) (soap.Access, bool) {
	switch op {
	case "GetServiceCapabilities":
		return soap.Open, true
	case "PullMessages", "Renew", "GetStatus":
		return soap.Viewer, true
	case "ContinuousMove":
		return soap.Admin, true
	}
	return 0, false
}

func (f *fakeService) ServeSOAP(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	f.calls.Add(1)
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.Path)
	f.mu.Unlock()
	op := c.Req.Operation.Local
	if op == "GetServiceCapabilities" {
		soap.WriteResponse(w, c.Req.Version, []byte(`<`+f.ns+`:GetServiceCapabilitiesResponse><`+f.ns+`:Capabilities Fake="true"/></`+f.ns+`:GetServiceCapabilitiesResponse>`)) //nolint:errcheck
		return
	}
	soap.WriteResponse(w, c.Req.Version, []byte(`<`+f.ns+`:`+op+`Response User="`+c.User+`"/>`)) //nolint:errcheck
}

// ptzConfig stands in for ptzsvc's Configuration.
type ptzConfig struct {
	XMLName   xml.Name `xml:"tt:PTZConfiguration"`
	Token     string   `xml:"token,attr"`
	Name      string   `xml:"tt:Name"`
	NodeToken string   `xml:"tt:NodeToken"`
}

// --- the server under test

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testInfo() DeviceInfo {
	return DeviceInfo{
		Manufacturer: "Xiaomi", Model: "Dafang", FirmwareVersion: "freecam 1.2.3", SerialNumber: "SN0042",
		HardwareID: "T20", Hostname: "dafang", Name: "Front Door", Location: "garden",
		Interfaces: []NetInterface{{Name: "wlan0", MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}, MTU: 1500,
			IPv4: []netip.Prefix{netip.MustParsePrefix("192.168.1.20/24")}, DHCP: true}},
		HTTPPort: 8080, HTTPSPort: 443,
		NTPServers: []string{"pool.ntp.org", "192.168.1.1"},
		DNS:        []netip.Addr{netip.MustParseAddr("192.168.1.1")},
	}
}

func testStream() StreamInfo {
	return StreamInfo{Width: 1920, Height: 1080, FPS: 20, BitrateKbps: 2000, GOVLength: 40, Quality: 70,
		Encoding: "H264", RTSPPort: 8554, RTSPPath: "/unicast"}
}

type testEnv struct {
	t        testing.TB
	srv      *Server
	ts       *httptest.Server
	acc      *fakeAccounts
	log      *lockedBuffer
	events   *fakeService
	ptz      *fakeService
	enabled  atomic.Bool
	down     atomic.Bool // the camera is restarting
	encoding atomic.Value
	clock    struct {
		mu  sync.Mutex
		set []time.Time
	}
	nonce atomic.Uint64
}

// newTestEnv starts a server with events and PTZ stand-ins on a loopback HTTP server; change
// adjusts the options first.
func newTestEnv(t testing.TB, change func(*Options)) *testEnv {
	e := &testEnv{t: t, acc: newFakeAccounts(), log: &lockedBuffer{},
		events: &fakeService{ns: "tev"}, ptz: &fakeService{ns: "tptz"}}
	e.enabled.Store(true)
	e.encoding.Store("H264")
	o := Options{
		Accounts: e.acc,
		Info:     testInfo,
		Stream: func() (StreamInfo, bool) {
			st := testStream()
			st.Encoding = e.encoding.Load().(string)
			return st, !e.down.Load()
		},
		Events:           e.events,
		PTZ:              e.ptz,
		PTZConfiguration: func() any { return ptzConfig{Token: "PTZConfig_1", Name: "PTZ", NodeToken: "PTZNode_1"} },
		Snapshot: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte{0xff, 0xd8, 0xff, 0xd9}) //nolint:errcheck
		}),
		SetClock: func(t time.Time) error {
			e.clock.mu.Lock()
			e.clock.set = append(e.clock.set, t)
			e.clock.mu.Unlock()
			return nil
		},
		Enabled: e.enabled.Load,
		Log:     slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:     func() time.Time { return testNow },
	}
	if change != nil {
		change(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// host is the host:port of the test server, as clients put it in Host.
func (e *testEnv) host() string { return strings.TrimPrefix(e.ts.URL, "http://") }

// freshNonce returns a nonce never used before in this test.
func (e *testEnv) freshNonce() []byte {
	return binary.BigEndian.AppendUint64([]byte("freecam-"), e.nonce.Add(1))
}

// zeepEnvelope is a request as Home Assistant's zeep-async client sends it: SOAP 1.2, wsa
// Action/MessageID/To with mustUnderstand and, when user is set, a wsse:Security
// UsernameToken with a PasswordDigest (Created with a +00:00 offset, as zeep writes it).
func zeepEnvelope(op, opNS, inner, user, password string, nonce []byte) string {
	sec := ""
	if user != "" {
		created := testNow.Format("2006-01-02T15:04:05+00:00")
		sec = fmt.Sprintf(`<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>%s</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">%s</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">%s</wsse:Nonce><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">%s</wsu:Created></wsse:UsernameToken></wsse:Security>`,
			user, soap.PasswordDigestOf(nonce, created, password), base64.StdEncoding.EncodeToString(nonce), created)
	}
	return fmt.Sprintf(`<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">%[2]s/%[1]s</wsa:Action><wsa:MessageID>urn:uuid:0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">http://192.168.1.20:8080/onvif/device_service</wsa:To>%[4]s</soap-env:Header><soap-env:Body><ns0:%[1]s xmlns:ns0="%[2]s">%[3]s</ns0:%[1]s></soap-env:Body></soap-env:Envelope>`,
		op, opNS, inner, sec)
}

// npmEnvelope is a request as the npm onvif package 0.8.3 sends it (cam.js _envelopeHeader):
// a default-namespace Security header with a PasswordDigest, Created as JavaScript's
// toISOString, the operation in a default namespace. Without user it is the unauthenticated
// GetSystemDateAndTime body.
func npmEnvelope(op, opNS, inner, user, password string, nonce []byte) string {
	body := `<` + op + ` xmlns="` + opNS + `"` + map[bool]string{true: "/>", false: ">" + inner + "</" + op + ">"}[inner == ""]
	if user == "" {
		return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` + body + `</s:Body></s:Envelope>`
	}
	created := testNow.Add(123 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>` +
		`<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>` + user + `</Username>` +
		`<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">` + soap.PasswordDigestOf(nonce, created, password) + `</Password>` +
		`<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">` + base64.StdEncoding.EncodeToString(nonce) + `</Nonce>` +
		`<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` + created + `</Created></UsernameToken></Security>` +
		`</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` + body + `</s:Body></s:Envelope>`
}

// reply is a response as the tests see it.
type reply struct {
	status int
	header http.Header
	raw    []byte
	env    *node // the Envelope
}

// post sends body to path with the given extra headers (name, value pairs) and parses the
// response, which must be a well-formed SOAP envelope.
func (e *testEnv) post(path, body string, headers ...string) *reply {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8`)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func (e *testEnv) do(req *http.Request) *reply {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	rp := &reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") || req.URL.Path == SnapshotPath {
		return rp
	}
	env, err := parseEnvelope(raw)
	if err != nil {
		e.t.Fatalf("response is not a SOAP envelope: %v\n%s", err, raw)
	}
	rp.env = env
	return rp
}

// node is a parsed XML element (soaptest.Node).
type node = soaptest.Node

func parseEnvelope(raw []byte) (*node, error) {
	var n node
	if err := xml.Unmarshal(raw, &n); err != nil {
		return nil, err
	}
	if n.XMLName.Local != "Envelope" || (n.XMLName.Space != soap.NSSoap12 && n.XMLName.Space != soap.NSSoap11) {
		return nil, fmt.Errorf("root is %v", n.XMLName)
	}
	if n.Get("Body") == nil {
		return nil, fmt.Errorf("no Body")
	}
	return &n, nil
}

// body returns the first element in Body (the response or the Fault).
func (r *reply) body() *node {
	b := r.env.Get("Body")
	if b == nil || len(b.Nodes) == 0 {
		return nil
	}
	return b.Nodes[0]
}

// ok fails the test unless the reply is a 200 response named op+"Response" in namespace ns.
func (r *reply) ok(t testing.TB, ns, op string) *node {
	t.Helper()
	b := r.body()
	if r.status != http.StatusOK || b == nil || b.XMLName.Local != op+"Response" || b.XMLName.Space != ns {
		t.Fatalf("%s: got status %d, body %v; want 200 and {%s}%sResponse\n%s", op, r.status, nameOf(b), ns, op, r.raw)
	}
	return b
}

func nameOf(n *node) xml.Name {
	if n == nil {
		return xml.Name{}
	}
	return n.XMLName
}

// faultOf returns the fault's code, subcodes (outermost first) and reason; ok is false when the
// body is not a SOAP 1.2 Fault.
func (r *reply) faultOf() (code string, subcodes []string, reason string, ok bool) {
	f := r.body()
	if f == nil || f.XMLName.Local != "Fault" {
		return "", nil, "", false
	}
	c := f.Get("Code")
	code = c.Value("Value")
	for s := c.Get("Subcode"); s != nil; s = s.Get("Subcode") {
		subcodes = append(subcodes, s.Value("Value"))
	}
	return code, subcodes, f.Value("Reason", "Text"), true
}

// wantFault fails unless the reply is a fault with this status, code and subcodes.
func (r *reply) wantFault(t testing.TB, status int, code string, subcodes ...string) string {
	t.Helper()
	c, subs, reason, ok := r.faultOf()
	if !ok {
		t.Fatalf("got status %d and no fault, want a %s fault\n%s", r.status, code, r.raw)
	}
	if r.status != status || c != "env:"+code || strings.Join(subs, " ") != strings.Join(subcodes, " ") {
		t.Fatalf("got fault %d %s %v %q, want %d env:%s %v", r.status, c, subs, reason, status, code, subcodes)
	}
	return reason
}
