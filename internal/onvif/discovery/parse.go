package discovery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// kind is what an incoming message asks of us.
type kind int

const (
	kindOther   kind = iota // Hello, Bye, ProbeMatches, our own messages looped back…: never answered
	kindProbe               // a Probe
	kindResolve             // a Resolve
)

// maxMessageID bounds the MessageID echoed in RelatesTo: a urn:uuid is 45 bytes; a longer one
// would only make us amplify what a sender puts in.
const maxMessageID = 1024

// message is what parse keeps of a WS-Discovery datagram.
type message struct {
	kind      kind
	messageID string
	// Probe
	types    []xml.Name
	typesBad bool // a type's prefix was not declared: it can match nothing
	scopes   []string
	matchBy  string
	// Resolve
	address string
}

var (
	errNotEnvelope = errors.New("not a SOAP envelope")
	errDirective   = errors.New("DOCTYPE or other directive refused")
	errNested      = errors.New("element inside a text element")
)

// parse reads a WS-Discovery datagram. It resolves the QNames in a Probe's Types against the
// namespace declarations in scope at the Types element (clients use any prefix). Anything that is
// not well-formed XML in a SOAP 1.2 (or 1.1) envelope is an error; other messages than Probe and
// Resolve parse as kindOther.
func parse(b []byte) (message, error) {
	var m message
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var (
		scopes   nsStack
		names    [6]xml.Name // names[i] is the open element at depth i (1-based)
		depth    int
		bodySeen bool
		envNS    string
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 || envNS == "" {
				return m, errNotEnvelope
			}
			return m, nil
		}
		if err != nil {
			return m, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			return m, errDirective
		case xml.EndElement:
			depth--
			scopes.pop()
		case xml.StartElement:
			depth++
			scopes.push(t.Attr)
			if depth < len(names) {
				names[depth] = t.Name
			}
			switch {
			case depth == 1:
				if envNS != "" || t.Name.Local != "Envelope" || (t.Name.Space != soap.NSSoap12 && t.Name.Space != soap.NSSoap11) {
					return m, errNotEnvelope
				}
				envNS = t.Name.Space
			case depth == 3 && names[2] == (xml.Name{Space: envNS, Local: "Header"}) &&
				t.Name.Local == "MessageID" && isAddressing(t.Name.Space):
				s, err := readText(d)
				if err != nil {
					return m, err
				}
				depth--
				scopes.pop()
				m.messageID = strings.TrimSpace(s)
			case depth == 3 && names[2] == (xml.Name{Space: envNS, Local: "Body"}):
				if bodySeen {
					break
				}
				bodySeen = true
				if t.Name.Space == nsDiscovery {
					switch t.Name.Local {
					case "Probe":
						m.kind = kindProbe
					case "Resolve":
						m.kind = kindResolve
					}
				}
			case depth == 4 && m.kind == kindProbe && names[3] == (xml.Name{Space: nsDiscovery, Local: "Probe"}) &&
				t.Name.Space == nsDiscovery && (t.Name.Local == "Types" || t.Name.Local == "Scopes"):
				s, err := readText(d)
				if err != nil {
					return m, err
				}
				if t.Name.Local == "Types" {
					m.types, m.typesBad = m.types[:0], false
					for _, q := range strings.Fields(s) {
						n, ok := scopes.resolve(q)
						if !ok {
							m.typesBad = true
							continue
						}
						m.types = append(m.types, n)
					}
				} else {
					m.scopes = strings.Fields(s)
					m.matchBy = ""
					for _, a := range t.Attr {
						if a.Name.Space == "" && a.Name.Local == "MatchBy" {
							m.matchBy = a.Value
						}
					}
				}
				depth--
				scopes.pop()
			case depth == 5 && m.kind == kindResolve &&
				names[3] == (xml.Name{Space: nsDiscovery, Local: "Resolve"}) &&
				names[4].Local == "EndpointReference" && isAddressing(names[4].Space) &&
				t.Name.Local == "Address" && isAddressing(t.Name.Space):
				s, err := readText(d)
				if err != nil {
					return m, err
				}
				depth--
				scopes.pop()
				m.address = strings.TrimSpace(s)
			}
		}
	}
}

func isAddressing(ns string) bool { return ns == soap.NSWSA200408 || ns == soap.NSWSA }

// readText reads the character data of the element just opened, through its end tag.
func readText(d *xml.Decoder) (string, error) {
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.StartElement:
			return "", errNested
		case xml.Directive:
			return "", errDirective
		case xml.EndElement:
			return sb.String(), nil
		}
	}
}

// nsStack holds the namespace declarations of the open elements, to resolve QNames in text.
type nsStack struct {
	frames [][2]string // (prefix, uri); "" prefix = default namespace
	marks  []int       // len(frames) before each open element's declarations
}

func (s *nsStack) push(attrs []xml.Attr) {
	s.marks = append(s.marks, len(s.frames))
	for _, a := range attrs {
		switch {
		case a.Name.Space == "xmlns":
			s.frames = append(s.frames, [2]string{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			s.frames = append(s.frames, [2]string{"", a.Value})
		}
	}
}

func (s *nsStack) pop() {
	if n := len(s.marks); n > 0 {
		s.frames = s.frames[:s.marks[n-1]]
		s.marks = s.marks[:n-1]
	}
}

// resolve turns "prefix:local" (or "local", in the default namespace) into a namespace-qualified
// name. ok is false when the prefix is not declared or the QName is malformed.
func (s *nsStack) resolve(qname string) (xml.Name, bool) {
	prefix, local, found := strings.Cut(qname, ":")
	if !found {
		prefix, local = "", qname
	}
	if local == "" || strings.Contains(local, ":") {
		return xml.Name{}, false
	}
	for i := len(s.frames) - 1; i >= 0; i-- {
		if s.frames[i][0] == prefix {
			if s.frames[i][1] == "" && prefix != "" {
				return xml.Name{}, false
			}
			return xml.Name{Space: s.frames[i][1], Local: local}, true
		}
	}
	if prefix == "" {
		return xml.Name{Local: local}, true // no default namespace
	}
	return xml.Name{}, false
}
