package discovery

import (
	"bytes"
	"net/netip"
	"testing"
)

// FuzzHandle feeds arbitrary datagrams to the handler: it must never panic, and whatever it
// answers must be one of our well-formed replies (which it must not answer in turn).
func FuzzHandle(f *testing.F) {
	s := testServer(f)
	var hello, bye bytes.Buffer
	s.w.hello(&hello, netip.MustParseAddr("192.0.2.2"), 1)
	s.w.bye(&bye, 2)
	for _, seed := range [][]byte{
		haProbe("urn:uuid:1"),
		npmProbe("urn:uuid:2"),
		probe("urn:uuid:3", ` xmlns:x="http://www.onvif.org/ver10/network/wsdl"`, `<d:Types>x:NetworkVideoTransmitter</d:Types><d:Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0">onvif://www.onvif.org/hardware/D1-566</d:Scopes>`),
		resolveMsg("urn:uuid:4", testUUID),
		hello.Bytes(),
		bye.Bytes(),
		[]byte("<"),
		nil,
	} {
		f.Add(seed)
	}
	local := netip.MustParseAddr("192.0.2.2")
	f.Fuzz(func(t *testing.T, b []byte) {
		out := s.handle(b, local)
		if out == nil {
			return
		}
		m, err := parse(out)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, out)
		}
		if m.kind != kindOther {
			t.Fatalf("our answer parses as kind %d, want a reply\n%s", m.kind, out)
		}
		if again := s.handle(out, local); again != nil {
			t.Fatalf("our answer was answered:\n%s", again)
		}
	})
}
