package discovery

import (
	"net/netip"
	"testing"
)

func TestScopeRFC3986(t *testing.T) {
	tests := []struct {
		probe, ours string
		want        bool
	}{
		{"onvif://www.onvif.org/hardware/D1", "onvif://www.onvif.org/hardware/D1", true},
		{"onvif://www.onvif.org/hardware/D1", "onvif://www.onvif.org/hardware/D1-566", false},
		{"onvif://www.onvif.org/hardware/D1-566", "onvif://www.onvif.org/hardware/D1", false},
		{"onvif://www.onvif.org/hardware", "onvif://www.onvif.org/hardware/D1-566", true},
		{"onvif://www.onvif.org/hardware/", "onvif://www.onvif.org/hardware/D1-566", true},
		{"onvif://www.onvif.org", "onvif://www.onvif.org/hardware/D1-566", true},
		{"onvif://www.onvif.org/Profile/Streaming", "onvif://www.onvif.org/Profile/Streaming", true},
		{"onvif://www.onvif.org/profile/streaming", "onvif://www.onvif.org/Profile/Streaming", false}, // segments are case-sensitive
		{"ONVIF://WWW.ONVIF.ORG/Profile/Streaming", "onvif://www.onvif.org/Profile/Streaming", true},  // scheme and authority are not
		{"onvif://www.onvif.org/Profile/Streaming/x", "onvif://www.onvif.org/Profile/Streaming", false},
		{"onvif://other.org/Profile/Streaming", "onvif://www.onvif.org/Profile/Streaming", false},
		{"http://www.onvif.org/Profile/Streaming", "onvif://www.onvif.org/Profile/Streaming", false},
		{"onvif://www.onvif.org/name/Front%20Door", "onvif://www.onvif.org/name/Front%20Door", true},
		{"onvif://www.onvif.org/name/Front Door", "onvif://www.onvif.org/name/Front%20Door", true}, // compared unescaped
		{"onvif://www.onvif.org/name/Front%2FDoor", "onvif://www.onvif.org/name/Front/Door", false},
		{"onvif://www.onvif.org/Profile/Streaming?x=1", "onvif://www.onvif.org/Profile/Streaming", true}, // query ignored
		{"onvif://www.onvif.org/Profile/./Streaming", "onvif://www.onvif.org/Profile/./Streaming", false},
		{"onvif://www.onvif.org/Profile/../Profile", "onvif://www.onvif.org/Profile", false},
		{"urn:x:y", "urn:x:y", true},
		{"urn:x", "urn:x:y", false},
		{"%zz", "onvif://www.onvif.org/x", false},
	}
	for _, tc := range tests {
		t.Run(tc.probe+" in "+tc.ours, func(t *testing.T) {
			if got := scopeRFC3986(tc.probe, tc.ours); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchScopes(t *testing.T) {
	ours := []string{"onvif://www.onvif.org/Profile/Streaming", "onvif://www.onvif.org/hardware/D1-566"}
	tests := []struct {
		name    string
		want    []string
		matchBy string
		ok      bool
	}{
		{"empty matches all", nil, "", true},
		{"one of ours", []string{"onvif://www.onvif.org/Profile/Streaming"}, "", true},
		{"all must match", []string{"onvif://www.onvif.org/Profile/Streaming", "onvif://www.onvif.org/Profile/T"}, "", false},
		{"rfc3986 explicit", []string{"onvif://www.onvif.org/hardware"}, MatchRFC3986, true},
		{"rfc3986 per segment", []string{"onvif://www.onvif.org/hardware/D1"}, MatchRFC3986, false},
		{"strcmp0 equal", []string{"onvif://www.onvif.org/hardware/D1-566"}, MatchStrcmp0, true},
		{"strcmp0 no prefix", []string{"onvif://www.onvif.org/hardware"}, MatchStrcmp0, false},
		{"strcmp0 case", []string{"ONVIF://www.onvif.org/hardware/D1-566"}, MatchStrcmp0, false},
		{"unknown rule", []string{"onvif://www.onvif.org/Profile/Streaming"}, "http://schemas.xmlsoap.org/ws/2005/04/discovery/ldap", false},
		{"unknown rule empty scopes", nil, "urn:nope", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchScopes(tc.want, tc.matchBy, ours); got != tc.ok {
				t.Errorf("got %v, want %v", got, tc.ok)
			}
		})
	}
}

// TestProbeMatching runs whole Probe envelopes through handle: types under other prefixes, the
// default namespace, undeclared prefixes, scopes and MatchBy.
func TestProbeMatching(t *testing.T) {
	const nvt = `http://www.onvif.org/ver10/network/wsdl`
	const dev = `http://www.onvif.org/ver10/device/wsdl`
	tests := []struct {
		name         string
		decls, inner string
		want         bool
	}{
		{"empty probe", "", "", true},
		{"empty elements", "", "<d:Types/><d:Scopes/>", true},
		{"type with other prefix", ` xmlns:x="` + nvt + `"`, "<d:Types>x:NetworkVideoTransmitter</d:Types>", true},
		{"both types other prefixes", ` xmlns:x="` + nvt + `" xmlns:y="` + dev + `"`, "<d:Types> y:Device\n x:NetworkVideoTransmitter </d:Types>", true},
		{"type in default namespace", "", `<d:Types xmlns="` + dev + `">Device</d:Types>`, true},
		{"prefix declared on Types", "", `<d:Types xmlns:q="` + dev + `">q:Device</d:Types>`, true},
		{"dn bound to the wrong namespace", ` xmlns:dn="` + dev + `"`, "<d:Types>dn:NetworkVideoTransmitter</d:Types>", false},
		{"undeclared prefix", "", "<d:Types>dn:NetworkVideoTransmitter</d:Types>", false},
		{"unknown type", ` xmlns:x="` + nvt + `"`, "<d:Types>x:NetworkVideoTransmitter x:Printer</d:Types>", false},
		{"no namespace type", "", "<d:Types>NetworkVideoTransmitter</d:Types>", false},
		{"scope prefix", "", "<d:Scopes>onvif://www.onvif.org/hardware</d:Scopes>", true},
		{"scope not a segment prefix", "", "<d:Scopes>onvif://www.onvif.org/hardware/D1</d:Scopes>", false},
		{"scope strcmp0", "", `<d:Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0">onvif://www.onvif.org/hardware/D1-566</d:Scopes>`, true},
		{"scope strcmp0 prefix", "", `<d:Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0">onvif://www.onvif.org/hardware</d:Scopes>`, false},
		{"scope rfc3986 explicit", "", `<d:Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986">onvif://www.onvif.org/name</d:Scopes>`, true},
		{"unknown MatchBy", "", `<d:Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/uuid">onvif://www.onvif.org/name</d:Scopes>`, false},
		{"types and scopes", ` xmlns:x="` + nvt + `"`, "<d:Types>x:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/location/garden</d:Scopes>", true},
		{"types match, scope does not", ` xmlns:x="` + nvt + `"`, "<d:Types>x:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/Profile/G</d:Scopes>", false},
	}
	o, err := testOptions(DefaultPort).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(&o, nil)
	local := netip.MustParseAddr("192.0.2.2")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.handle(probe("urn:uuid:1", tc.decls, tc.inner), local) != nil
			if got != tc.want {
				t.Errorf("answered %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("Home Assistant probe", func(t *testing.T) {
		if s.handle(haProbe("urn:uuid:2"), local) == nil {
			t.Error("got no answer, want a ProbeMatches")
		}
	})
	t.Run("npm onvif probe", func(t *testing.T) {
		if s.handle(npmProbe("urn:uuid:3"), local) == nil {
			t.Error("got no answer, want a ProbeMatches")
		}
	})
}
