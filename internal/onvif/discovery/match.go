package discovery

import (
	"encoding/xml"
	"net/url"
	"strings"
)

// MatchBy rules understood in a Probe's Scopes/@MatchBy. An absent MatchBy means MatchRFC3986.
const (
	MatchRFC3986 = nsDiscovery + "/rfc3986"
	MatchStrcmp0 = nsDiscovery + "/strcmp0"
)

// matchTypes reports whether every type asked for is one of ours, comparing namespace and local
// name (never the prefix). An empty request matches everything.
func matchTypes(want, ours []xml.Name) bool {
	for _, w := range want {
		found := false
		for _, o := range ours {
			if w.Space == o.Space && w.Local == o.Local {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchScopes reports whether every scope asked for matches one of ours under the rule matchBy
// ("" meaning rfc3986). An unknown rule matches nothing; an empty request matches everything
// (under a known rule).
func matchScopes(want []string, matchBy string, ours []string) bool {
	var match func(probe, ours string) bool
	switch strings.TrimSpace(matchBy) {
	case "", MatchRFC3986:
		match = scopeRFC3986
	case MatchStrcmp0:
		match = func(a, b string) bool { return a == b }
	default:
		return false
	}
	for _, w := range want {
		found := false
		for _, o := range ours {
			if match(w, o) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// scopeRFC3986 is WS-Discovery's rfc3986 rule: the scheme and the authority compare
// case-insensitively, the path of probe must be a segment-wise prefix of the path of ours (each
// segment compared after unescaping, case-sensitively), neither may contain a "." or ".."
// segment, and query and fragment are ignored. So .../hardware/D1 matches .../hardware/D1/x but
// not .../hardware/D1-566. A URI without an authority (urn:…) must be equal.
func scopeRFC3986(probe, ours string) bool {
	p, err := url.Parse(probe)
	if err != nil {
		return false
	}
	o, err := url.Parse(ours)
	if err != nil {
		return false
	}
	if p.Opaque != "" || o.Opaque != "" {
		return strings.EqualFold(p.Scheme, o.Scheme) && p.Opaque == o.Opaque
	}
	if !strings.EqualFold(p.Scheme, o.Scheme) || !strings.EqualFold(p.Host, o.Host) ||
		p.User.String() != o.User.String() {
		return false
	}
	ps, ok := segments(p)
	if !ok {
		return false
	}
	ourSegs, ok := segments(o)
	if !ok || len(ps) > len(ourSegs) {
		return false
	}
	for i := range ps {
		if ps[i] != ourSegs[i] {
			return false
		}
	}
	return true
}

// segments splits u's path into unescaped segments, without the empty segments a leading or
// trailing slash makes. ok is false for a "." or ".." segment or a bad escape.
func segments(u *url.URL) (segs []string, ok bool) {
	path := strings.Trim(u.EscapedPath(), "/")
	if path == "" {
		return nil, true
	}
	segs = strings.Split(path, "/")
	for i, s := range segs {
		v, err := url.PathUnescape(s)
		if err != nil || v == "." || v == ".." {
			return nil, false
		}
		segs[i] = v
	}
	return segs, true
}
