package discovery

import (
	"bytes"
	"encoding/xml"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testServer(t testing.TB) *server {
	t.Helper()
	o, err := testOptions(DefaultPort).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return newServer(&o, nil)
}

// checkDescription checks the endpoint fields every ProbeMatch, ResolveMatch and Hello carries.
func checkDescription(t *testing.T, r replyMsg, local netip.Addr) {
	t.Helper()
	if r.Address != testUUID {
		t.Errorf("EndpointReference/Address: got %q, want %q", r.Address, testUUID)
	}
	if !slices.Equal(r.Types, defaultTypes) {
		t.Errorf("Types: got %v, want %v", r.Types, defaultTypes)
	}
	if !slices.Equal(r.Scopes, testScopes) {
		t.Errorf("Scopes: got %q, want %q", r.Scopes, testScopes)
	}
	if want := []string{xaddrFor(local)}; !slices.Equal(r.XAddrs, want) {
		t.Errorf("XAddrs: got %q, want %q", r.XAddrs, want)
	}
	if r.MetadataVersion != "7" {
		t.Errorf("MetadataVersion: got %q, want 7", r.MetadataVersion)
	}
}

func checkMessageID(t *testing.T, id string) {
	t.Helper()
	if len(id) != len("urn:uuid:")+36 || !strings.HasPrefix(id, "urn:uuid:") || id[9+14] != '4' {
		t.Errorf("MessageID: got %q, want a urn:uuid: version 4", id)
	}
}

func TestProbeMatchesShape(t *testing.T) {
	s := testServer(t)
	local := netip.MustParseAddr("192.0.2.2")
	before := time.Now().Unix()
	var last uint64
	seen := map[string]bool{}
	for i := range 3 {
		id := "urn:uuid:aaaaaaaa-0000-4000-8000-00000000000" + strconv.Itoa(i)
		b := s.handle(haProbe(id), local)
		if b == nil {
			t.Fatal("got no answer, want a ProbeMatches")
		}
		r := parseReply(t, b)
		checkMessageID(t, r.MessageID)
		if seen[r.MessageID] {
			t.Errorf("MessageID %s reused", r.MessageID)
		}
		seen[r.MessageID] = true
		if r.RelatesTo != id {
			t.Errorf("RelatesTo: got %q, want %q", r.RelatesTo, id)
		}
		if r.To != toAnonymous {
			t.Errorf("To: got %q, want %q", r.To, toAnonymous)
		}
		if r.Action != "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches" {
			t.Errorf("Action: got %q", r.Action)
		}
		if r.Body != "ProbeMatches" {
			t.Errorf("Body: got %q, want ProbeMatches", r.Body)
		}
		if r.InstanceID < uint64(before)-5 || r.InstanceID > uint64(time.Now().Unix()) {
			t.Errorf("InstanceId: got %d, want the start time %d", r.InstanceID, before)
		}
		if r.MessageNumber <= last {
			t.Errorf("MessageNumber: got %d after %d, want it incrementing", r.MessageNumber, last)
		}
		last = r.MessageNumber
		checkDescription(t, r, local)
	}
}

func TestRelatesToEscaped(t *testing.T) {
	s := testServer(t)
	b := s.handle(haProbe("urn:x:a&amp;b&lt;c"), netip.MustParseAddr("192.0.2.2"))
	if b == nil {
		t.Fatal("got no answer")
	}
	if r := parseReply(t, b); r.RelatesTo != "urn:x:a&b<c" {
		t.Errorf("RelatesTo: got %q, want %q", r.RelatesTo, "urn:x:a&b<c")
	}
}

func TestResolve(t *testing.T) {
	s := testServer(t)
	local := netip.MustParseAddr("192.0.2.2")
	b := s.handle(resolveMsg("urn:uuid:r1", testUUID), local)
	if b == nil {
		t.Fatal("got no answer to a Resolve for our endpoint")
	}
	r := parseReply(t, b)
	if r.Action != actionResolveMatches || r.RelatesTo != "urn:uuid:r1" || r.Body != "ResolveMatches" {
		t.Errorf("got Action %q RelatesTo %q Body %q, want ResolveMatches relating to urn:uuid:r1", r.Action, r.RelatesTo, r.Body)
	}
	checkDescription(t, r, local)
	if b := s.handle(resolveMsg("urn:uuid:r2", "urn:uuid:someone-else"), local); b != nil {
		t.Errorf("got an answer to a Resolve for another endpoint:\n%s", b)
	}
}

// TestOwnMessagesIgnored: our Hello, Bye and ProbeMatches looped back are never answered.
func TestOwnMessagesIgnored(t *testing.T) {
	s := testServer(t)
	local := netip.MustParseAddr("192.0.2.2")
	var hello, bye bytes.Buffer
	s.w.hello(&hello, local, 1)
	s.w.bye(&bye, 2)
	pm := s.handle(haProbe("urn:uuid:1"), local)
	for name, b := range map[string][]byte{"Hello": hello.Bytes(), "Bye": bye.Bytes(), "ProbeMatches": pm} {
		t.Run(name, func(t *testing.T) {
			if _, err := parse(b); err != nil {
				t.Fatalf("our own %s does not parse: %v", name, err)
			}
			if got := s.handle(b, local); got != nil {
				t.Errorf("got an answer to our own %s:\n%s", name, got)
			}
		})
	}
	t.Run("Hello fields", func(t *testing.T) {
		r := parseReply(t, hello.Bytes())
		if r.Action != actionHello || r.To != toDiscovery || r.RelatesTo != "" || r.Body != "Hello" {
			t.Errorf("got Action %q To %q RelatesTo %q Body %q", r.Action, r.To, r.RelatesTo, r.Body)
		}
		checkMessageID(t, r.MessageID)
		checkDescription(t, r, local)
	})
	t.Run("Bye fields", func(t *testing.T) {
		r := parseReply(t, bye.Bytes())
		if r.Action != actionBye || r.To != toDiscovery || r.Address != testUUID || r.Body != "Bye" {
			t.Errorf("got Action %q To %q Address %q Body %q", r.Action, r.To, r.Address, r.Body)
		}
	})
}

func TestMalformedIgnored(t *testing.T) {
	s := testServer(t)
	good := string(haProbe("urn:uuid:1"))
	tests := map[string]string{
		"empty":              "",
		"garbage":            "\x00\xff hello",
		"truncated":          good[:len(good)-20],
		"no envelope":        `<Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"/>`,
		"wrong envelope ns":  strings.ReplaceAll(good, "http://www.w3.org/2003/05/soap-envelope", "urn:x"),
		"no message id":      strings.Replace(good, "<a:MessageID>urn:uuid:1</a:MessageID>", "", 1),
		"huge message id":    strings.Replace(good, "urn:uuid:1", strings.Repeat("x", maxMessageID+1), 1),
		"doctype":            `<!DOCTYPE x [<!ENTITY a "aaaa">]>` + good,
		"element in scopes":  strings.Replace(good, "<d:Scopes>", "<d:Scopes><x/>", 1),
		"two envelopes":      good + good[strings.Index(good, "<soap-env:Envelope"):],
		"trailing garbage":   good + "<",
		"undefined entity":   strings.Replace(good, "Streaming<", "&nope;<", 1),
		"oversize":           good + strings.Repeat(" ", maxDatagram),
		"mismatched end tag": strings.Replace(good, "</d:Probe>", "</d:Probes>", 1),
	}
	if s.handle([]byte(good), netip.Addr{}) == nil {
		t.Fatal("the good probe got no answer; the cases below prove nothing")
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if got := s.handle([]byte(b), netip.Addr{}); got != nil {
				t.Errorf("got an answer, want none:\n%s", got)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(50)
	now := time.Unix(1000, 0)
	n := 0
	for range 200 {
		if l.allow(now) {
			n++
		}
	}
	if n != 50 {
		t.Errorf("burst: got %d allowed, want 50", n)
	}
	now = now.Add(100 * time.Millisecond)
	n = 0
	for range 200 {
		if l.allow(now) {
			n++
		}
	}
	if n != 5 {
		t.Errorf("after 100 ms: got %d allowed, want 5", n)
	}
	now = now.Add(time.Hour)
	n = 0
	for range 200 {
		if l.allow(now) {
			n++
		}
	}
	if n != 50 {
		t.Errorf("after an hour: got %d allowed, want the bucket size 50", n)
	}
}

func TestDiffInterfaces(t *testing.T) {
	p := netip.MustParsePrefix
	eth := iface{index: 2, name: "eth0", addrs: []netip.Prefix{p("192.0.2.2/24")}}
	wlan := iface{index: 3, name: "wlan0", addrs: []netip.Prefix{p("10.0.0.5/24")}}
	wlanNew := iface{index: 3, name: "wlan0", addrs: []netip.Prefix{p("10.0.0.5/24"), p("10.1.0.9/24")}}
	wlanMoved := iface{index: 3, name: "wlan0", addrs: []netip.Prefix{p("10.2.0.7/24")}}
	names := func(l []iface) (s []string) {
		for _, i := range l {
			s = append(s, i.name)
		}
		return s
	}
	hellos := func(l []announce) (s []string) {
		for _, a := range l {
			s = append(s, a.ifi.name+"="+a.addr.String())
		}
		return s
	}
	tests := []struct {
		name              string
		old, cur          []iface
		join, leave, hell []string
	}{
		{"start", nil, []iface{eth, wlan}, []string{"eth0", "wlan0"}, nil, []string{"eth0=192.0.2.2", "wlan0=10.0.0.5"}},
		{"unchanged", []iface{eth, wlan}, []iface{eth, wlan}, nil, nil, nil},
		{"wifi comes up", []iface{eth}, []iface{eth, wlan}, []string{"wlan0"}, nil, []string{"wlan0=10.0.0.5"}},
		{"wifi gains an address", []iface{eth, wlan}, []iface{eth, wlanNew}, nil, nil, []string{"wlan0=10.1.0.9"}},
		{"wifi changes address", []iface{eth, wlan}, []iface{eth, wlanMoved}, nil, nil, []string{"wlan0=10.2.0.7"}},
		{"wifi goes", []iface{eth, wlan}, []iface{eth}, nil, []string{"wlan0"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, l, h := diffInterfaces(tc.old, tc.cur)
			if !slices.Equal(names(j), tc.join) || !slices.Equal(names(l), tc.leave) || !slices.Equal(hellos(h), tc.hell) {
				t.Errorf("got join %v leave %v hello %v, want %v %v %v", names(j), names(l), hellos(h), tc.join, tc.leave, tc.hell)
			}
		})
	}
}

func TestLocalFor(t *testing.T) {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	ifs := []iface{
		{index: 2, name: "eth0", addrs: []netip.Prefix{p("192.0.2.2/24"), p("198.51.100.2/24")}},
		{index: 3, name: "wlan0", addrs: []netip.Prefix{p("10.0.0.5/24")}},
	}
	tests := []struct {
		name  string
		index int
		src   string
		want  string
	}{
		{"subnet on the interface", 2, "198.51.100.9", "198.51.100.2"},
		{"first address of the interface", 2, "203.0.113.1", "192.0.2.2"},
		{"other interface", 3, "10.0.0.1", "10.0.0.5"},
		{"any interface by subnet", 0, "10.0.0.1", "10.0.0.5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := localFor(ifs, tc.index, a(tc.src)); got != a(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if got := localFor(nil, 0, a("10.0.0.1")); got.IsValid() {
		t.Errorf("no interfaces: got %v, want the zero Addr", got)
	}
}

func TestOptionsDefaults(t *testing.T) {
	if _, err := (Options{}).withDefaults(); err == nil {
		t.Error("got no error without EndpointUUID")
	}
	o, err := Options{EndpointUUID: testUUID}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Port != 3702 || o.Group != DefaultGroup || o.MaxDelay != 500*time.Millisecond || !slices.Equal(o.Types, defaultTypes) || o.Log == nil {
		t.Errorf("got %+v, want port 3702, group 239.255.255.250, 500 ms, the ONVIF types, a logger", o)
	}
	if _, err := (Options{EndpointUUID: testUUID, Group: netip.MustParseAddr("192.0.2.1")}).withDefaults(); err == nil {
		t.Error("got no error for a unicast group")
	}
	s := newWriter(&Options{EndpointUUID: testUUID, Types: []xml.Name{{Space: "urn:a", Local: "X"}, {Space: "urn:b", Local: "Y"}, {Space: "urn:a", Local: "Z"}}}, 1)
	if s.typesText != "t0:X t1:Y t0:Z" || s.typesDecls != ` xmlns:t0="urn:a" xmlns:t1="urn:b"` {
		t.Errorf("other types: got %q %q", s.typesText, s.typesDecls)
	}
}

// With no address to give (the ONVIF listener is not reachable from there), the device stays
// silent rather than announce a camera an NVR cannot add.
func TestNoXAddrsNoAnswer(t *testing.T) {
	o := testOptions(DefaultPort)
	o.XAddrs = func(netip.Addr) []string { return nil }
	o, err := o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(&o, nil)
	local := netip.MustParseAddr("192.0.2.2")
	if b := s.handle(haProbe("urn:uuid:n1"), local); b != nil {
		t.Errorf("got a ProbeMatch without XAddrs:\n%s", b)
	}
	if b := s.handle(resolveMsg("urn:uuid:n2", testUUID), local); b != nil {
		t.Errorf("got a ResolveMatch without XAddrs:\n%s", b)
	}
}
