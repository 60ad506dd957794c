package discovery

import (
	"encoding/xml"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

const testUUID = "urn:uuid:5f5a69c2-e0ae-504f-829b-00fc00000001"

var testScopes = []string{
	"onvif://www.onvif.org/Profile/Streaming",
	"onvif://www.onvif.org/type/video_encoder",
	"onvif://www.onvif.org/hardware/D1-566",
	"onvif://www.onvif.org/name/Front%20Door",
	"onvif://www.onvif.org/mac/02:fc:00:00:00:01",
	"onvif://www.onvif.org/location/garden",
}

// testOptions are the options of the tests, with XAddrs built from the local address.
func testOptions(port int) Options {
	return Options{
		EndpointUUID:    testUUID,
		Scopes:          func() []string { return testScopes },
		XAddrs:          func(local netip.Addr) []string { return []string{xaddrFor(local)} },
		MetadataVersion: 7,
		Port:            port,
		MaxDelay:        -1,
	}
}

func xaddrFor(local netip.Addr) string {
	return fmt.Sprintf("http://%s:8080/onvif/device_service", local)
}

// haProbe is the Probe python-wsdiscovery (Home Assistant's WSDiscovery) sends: no Types, the
// Profile/Streaming scope.
func haProbe(id string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">` +
		`<soap-env:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>` +
		`<a:MessageID>` + id + `</a:MessageID>` +
		`<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></soap-env:Header>` +
		`<soap-env:Body><d:Probe><d:Scopes>onvif://www.onvif.org/Profile/Streaming</d:Scopes></d:Probe></soap-env:Body></soap-env:Envelope>`)
}

// npmProbe is the Probe the npm onvif client 0.8.3 sends (lib/discovery.js), prefixes and all.
func npmProbe(id string) []byte {
	return []byte(`<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
		`<Header>` +
		`<wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">` + id + `</wsa:MessageID>` +
		`<wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>` +
		`<wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>` +
		`</Header>` +
		`<Body>` +
		`<Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<Types>dn:NetworkVideoTransmitter</Types>` +
		`<Scopes />` +
		`</Probe>` +
		`</Body>` +
		`</Envelope>`)
}

// probe builds a Probe whose d:Probe element carries decls and contains inner.
func probe(id, decls, inner string) []byte {
	return []byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing">` +
		`<e:Header><w:MessageID>` + id + `</w:MessageID></e:Header>` +
		`<e:Body><d:Probe xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"` + decls + `>` + inner + `</d:Probe></e:Body></e:Envelope>`)
}

func resolveMsg(id, address string) []byte {
	return []byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing">` +
		`<e:Header><w:MessageID>` + id + `</w:MessageID></e:Header>` +
		`<e:Body><d:Resolve xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><w:EndpointReference><w:Address>` + address +
		`</w:Address></w:EndpointReference></d:Resolve></e:Body></e:Envelope>`)
}

// reply is what the tests read back from one of our messages.
type replyMsg struct {
	MessageID, RelatesTo, To, Action string
	InstanceID, MessageNumber        uint64
	Body                             string // local name of the Body's child
	Address                          string
	Types                            []xml.Name // resolved against the message's declarations
	Scopes, XAddrs                   []string
	MetadataVersion                  string
}

// parseReply reads one of our envelopes independently of the package's parser: encoding/xml
// structs for the elements, and the declarations in scope for the Types QNames.
func parseReply(t testing.TB, b []byte) replyMsg {
	t.Helper()
	type desc struct {
		Address         string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing EndpointReference>Address"`
		Types           string `xml:"http://schemas.xmlsoap.org/ws/2005/04/discovery Types"`
		Scopes          string `xml:"http://schemas.xmlsoap.org/ws/2005/04/discovery Scopes"`
		XAddrs          string `xml:"http://schemas.xmlsoap.org/ws/2005/04/discovery XAddrs"`
		MetadataVersion string `xml:"http://schemas.xmlsoap.org/ws/2005/04/discovery MetadataVersion"`
	}
	var env struct {
		XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
		Header  struct {
			MessageID   string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
			RelatesTo   string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing RelatesTo"`
			To          string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing To"`
			Action      string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
			AppSequence struct {
				InstanceID    uint64 `xml:"InstanceId,attr"`
				MessageNumber uint64 `xml:"MessageNumber,attr"`
			} `xml:"http://schemas.xmlsoap.org/ws/2005/04/discovery AppSequence"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
		Body struct {
			Inner struct {
				XMLName xml.Name
				Match   desc `xml:",any"`
				desc
			} `xml:",any"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
	}
	if err := xml.Unmarshal(b, &env); err != nil {
		t.Fatalf("reply does not parse: %v\n%s", err, b)
	}
	h := env.Header
	r := replyMsg{
		MessageID: h.MessageID, RelatesTo: h.RelatesTo, To: h.To, Action: h.Action,
		InstanceID: h.AppSequence.InstanceID, MessageNumber: h.AppSequence.MessageNumber,
		Body: env.Body.Inner.XMLName.Local,
	}
	d := env.Body.Inner.desc // Hello, Bye
	if r.Body == "ProbeMatches" || r.Body == "ResolveMatches" {
		d = env.Body.Inner.Match
	}
	r.Address, r.Scopes, r.XAddrs, r.MetadataVersion = d.Address, strings.Fields(d.Scopes), strings.Fields(d.XAddrs), d.MetadataVersion
	decls := map[string]string{}
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" {
					decls[a.Name.Local] = a.Value
				}
			}
		}
	}
	for _, q := range strings.Fields(d.Types) {
		p, l, _ := strings.Cut(q, ":")
		ns, ok := decls[p]
		if !ok {
			t.Fatalf("type %q: prefix %q not declared in\n%s", q, p, b)
		}
		r.Types = append(r.Types, xml.Name{Space: ns, Local: l})
	}
	return r
}

var defaultTypes = []xml.Name{
	{Space: soap.NSNetwork, Local: "NetworkVideoTransmitter"},
	{Space: soap.NSDevice, Local: "Device"},
}
