package discovery

import (
	"net/netip"
	"testing"
)

// BenchmarkProbe is a Home Assistant Probe in, a ProbeMatches out (parse, match, build).
func BenchmarkProbe(b *testing.B) {
	s := testServer(b)
	in := haProbe("urn:uuid:0b7a1d9e-8a7b-4c1e-9a1f-3d2c1b0a9f8e")
	local := netip.MustParseAddr("192.0.2.2")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if s.handle(in, local) == nil {
			b.Fatal("no answer")
		}
	}
}

// BenchmarkProbeNoMatch is a Probe for other types: parse and refuse.
func BenchmarkProbeNoMatch(b *testing.B) {
	s := testServer(b)
	in := probe("urn:uuid:0b7a1d9e-8a7b-4c1e-9a1f-3d2c1b0a9f8e", ` xmlns:p="http://example.com/printers"`, "<d:Types>p:Printer</d:Types>")
	local := netip.MustParseAddr("192.0.2.2")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if s.handle(in, local) != nil {
			b.Fatal("answered")
		}
	}
}
