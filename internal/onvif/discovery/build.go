package discovery

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// WS-Discovery 2005/04 names.
const (
	nsDiscovery = "http://schemas.xmlsoap.org/ws/2005/04/discovery"

	actionHello          = nsDiscovery + "/Hello"
	actionBye            = nsDiscovery + "/Bye"
	actionProbeMatches   = nsDiscovery + "/ProbeMatches"
	actionResolveMatches = nsDiscovery + "/ResolveMatches"

	toDiscovery = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"                    // multicast Hello/Bye
	toAnonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous" // unicast replies
)

// writer builds freecam's outgoing WS-Discovery envelopes. Its methods are safe for concurrent
// use: the only mutable state is the message counter, owned by the caller through next.
type writer struct {
	endpoint   string // EndpointReference/Address
	typesText  string // "dn:NetworkVideoTransmitter tds:Device"
	typesDecls string // ` xmlns:dn="…" xmlns:tds="…"`
	instanceID uint64 // AppSequence/@InstanceId
	scopes     func() []string
	xaddrs     func(netip.Addr) []string
	metadata   int
}

// newWriter prefixes the types: dn and tds for the ONVIF namespaces, t0, t1… for others.
func newWriter(o *Options, instanceID uint64) *writer {
	w := &writer{endpoint: o.EndpointUUID, instanceID: instanceID, scopes: o.Scopes, xaddrs: o.XAddrs, metadata: o.MetadataVersion}
	prefixes := map[string]string{}
	var decls, text strings.Builder
	for _, t := range o.Types {
		p, ok := prefixes[t.Space]
		if !ok {
			switch t.Space {
			case soap.NSNetwork:
				p = "dn"
			case soap.NSDevice:
				p = "tds"
			default:
				p = "t" + strconv.Itoa(len(prefixes))
			}
			prefixes[t.Space] = p
			decls.WriteString(` xmlns:` + p + `="`)
			escape(&decls, t.Space)
			decls.WriteString(`"`)
		}
		if text.Len() > 0 {
			text.WriteByte(' ')
		}
		text.WriteString(p + ":" + t.Local)
	}
	w.typesText, w.typesDecls = text.String(), decls.String()
	return w
}

// header writes the envelope start and the header; the caller writes the body's content and end.
func (w *writer) header(b *bytes.Buffer, action, to, relatesTo string, seq uint64) {
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<s:Envelope xmlns:s="` + soap.NSSoap12 + `" xmlns:a="` + soap.NSWSA200408 + `" xmlns:d="` + nsDiscovery + `"`)
	b.WriteString(w.typesDecls)
	b.WriteString(`><s:Header><a:MessageID>` + newUUID() + `</a:MessageID>`)
	if relatesTo != "" {
		b.WriteString(`<a:RelatesTo>`)
		escape(b, relatesTo)
		b.WriteString(`</a:RelatesTo>`)
	}
	b.WriteString(`<a:To>` + to + `</a:To><a:Action>` + action + `</a:Action>`)
	fmt.Fprintf(b, `<d:AppSequence InstanceId="%d" MessageNumber="%d"/></s:Header><s:Body>`, w.instanceID, seq)
}

// endpoint writes the EndpointReference, Types, Scopes, XAddrs and MetadataVersion of a Hello,
// ProbeMatch or ResolveMatch.
func (w *writer) description(b *bytes.Buffer, local netip.Addr) {
	b.WriteString(`<a:EndpointReference><a:Address>`)
	escape(b, w.endpoint)
	b.WriteString(`</a:Address></a:EndpointReference>`)
	if w.typesText != "" {
		b.WriteString(`<d:Types>` + w.typesText + `</d:Types>`)
	}
	if w.scopes != nil {
		if sc := w.scopes(); len(sc) > 0 {
			b.WriteString(`<d:Scopes>`)
			list(b, sc)
			b.WriteString(`</d:Scopes>`)
		}
	}
	if w.xaddrs != nil {
		if xa := w.xaddrs(local); len(xa) > 0 {
			b.WriteString(`<d:XAddrs>`)
			list(b, xa)
			b.WriteString(`</d:XAddrs>`)
		}
	}
	b.WriteString(`<d:MetadataVersion>` + strconv.Itoa(w.metadata) + `</d:MetadataVersion>`)
}

// probeMatches is the unicast answer to the Probe whose MessageID is relatesTo.
func (w *writer) probeMatches(b *bytes.Buffer, relatesTo string, local netip.Addr, seq uint64) {
	w.header(b, actionProbeMatches, toAnonymous, relatesTo, seq)
	b.WriteString(`<d:ProbeMatches><d:ProbeMatch>`)
	w.description(b, local)
	b.WriteString(`</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`)
}

// resolveMatches is the unicast answer to a Resolve for our endpoint.
func (w *writer) resolveMatches(b *bytes.Buffer, relatesTo string, local netip.Addr, seq uint64) {
	w.header(b, actionResolveMatches, toAnonymous, relatesTo, seq)
	b.WriteString(`<d:ResolveMatches><d:ResolveMatch>`)
	w.description(b, local)
	b.WriteString(`</d:ResolveMatch></d:ResolveMatches></s:Body></s:Envelope>`)
}

// hello announces the device on the interface whose address is local.
func (w *writer) hello(b *bytes.Buffer, local netip.Addr, seq uint64) {
	w.header(b, actionHello, toDiscovery, "", seq)
	b.WriteString(`<d:Hello>`)
	w.description(b, local)
	b.WriteString(`</d:Hello></s:Body></s:Envelope>`)
}

// bye says the device leaves.
func (w *writer) bye(b *bytes.Buffer, seq uint64) {
	w.header(b, actionBye, toDiscovery, "", seq)
	b.WriteString(`<d:Bye><a:EndpointReference><a:Address>`)
	escape(b, w.endpoint)
	b.WriteString(`</a:Address></a:EndpointReference></d:Bye></s:Body></s:Envelope>`)
}

// list writes items space-separated, escaped; items with inner white space are skipped, since
// they would read as two.
func list(b *bytes.Buffer, items []string) {
	first := true
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" || strings.ContainsAny(it, " \t\r\n") {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		escape(b, it)
	}
}

type stringWriter interface {
	WriteString(string) (int, error)
	Write([]byte) (int, error)
}

// escape writes s as XML character data (or an attribute value).
func escape(b stringWriter, s string) {
	if !strings.ContainsAny(s, `&<>"'`+"\t\r\n") && isPlainASCII(s) {
		b.WriteString(s)
		return
	}
	_ = xml.EscapeText(b, []byte(s))
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// newUUID returns a random (version 4) "urn:uuid:…".
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24+)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return "urn:uuid:" + string(s[:])
}
