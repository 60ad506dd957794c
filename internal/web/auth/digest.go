package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// nonceTTL is how long a Digest nonce is accepted; an older one gets a challenge with stale=true.
const nonceTTL = 5 * time.Minute

// errStaleNonce refuses a Digest response that was right but for an expired nonce; Challenge then
// answers stale=true so the client retries with a new nonce without asking for the password.
var errStaleNonce = fmt.Errorf("%w: stale digest nonce", ErrBadCredentials)

// newNonce returns an HMAC-signed timestamp: base64url(unix seconds, 8 bytes ‖ HMAC-SHA256[:16]).
func newNonce(key []byte, now time.Time) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.Unix()))
	m := hmac.New(sha256.New, key)
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// checkNonce reports whether nonce was made with key, and whether it is older than nonceTTL.
func checkNonce(key []byte, nonce string, now time.Time) (valid, stale bool) {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 {
		return false, false
	}
	m := hmac.New(sha256.New, key)
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := now.Sub(issued)
	if age < -time.Minute { // from the future: not one of ours, whatever the MAC says
		return false, false
	}
	return true, age > nonceTTL
}

// digestParams parses the parameters of an "Authorization: Digest …" header (after the scheme):
// comma-separated name=value, value a token or a quoted string with backslash escapes. Names are
// case-insensitive and returned lower-case. ok is false on a malformed header or a repeated name.
func digestParams(s string) (map[string]string, bool) {
	p := make(map[string]string)
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return p, true
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, false
		}
		name := strings.ToLower(strings.TrimRight(s[:eq], " \t"))
		if strings.ContainsAny(name, " \t,\"") {
			return nil, false
		}
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, false // unterminated
			}
			val, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		if _, dup := p[name]; dup {
			return nil, false
		}
		p[name] = val
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return nil, false
		}
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// digestResponse computes RFC 7616's MD5 response; qop is "auth" or "" (RFC 2069 clients).
func digestResponse(ha1, method, uri, nonce, nc, cnonce, qop string) string {
	ha2 := md5hex(method + ":" + uri)
	if qop == "" {
		return md5hex(ha1 + ":" + nonce + ":" + ha2)
	}
	return md5hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
}

// digestRequest is a parsed, shape-checked Digest Authorization header.
type digestRequest struct {
	username, uri, nonce, nc, cnonce, qop, response string
}

// parseDigest checks the shape of a Digest header's parameters: the realm, algorithm MD5, qop
// auth or absent, nc 8 hex digits and a cnonce with qop, a 32-hex response.
func parseDigest(params string) (digestRequest, bool) {
	p, ok := digestParams(params)
	if !ok {
		return digestRequest{}, false
	}
	d := digestRequest{username: p["username"], uri: p["uri"], nonce: p["nonce"], nc: p["nc"],
		cnonce: p["cnonce"], qop: p["qop"], response: strings.ToLower(p["response"])}
	if p["realm"] != digestRealm || d.username == "" || d.uri == "" || d.nonce == "" {
		return d, false
	}
	if alg, ok := p["algorithm"]; ok && !strings.EqualFold(alg, "MD5") {
		return d, false
	}
	if len(d.response) != 32 || !isHex(d.response) {
		return d, false
	}
	switch d.qop {
	case "auth":
		if len(d.nc) != 8 || !isHex(d.nc) || d.cnonce == "" || len(d.cnonce) > 256 || strings.ContainsAny(d.cnonce, "\"\\\x00\r\n") {
			return d, false
		}
	case "":
		if d.nc != "" || d.cnonce != "" {
			return d, false
		}
	default:
		return d, false
	}
	return d, true
}

// matches reports, in constant time, whether d's response is right for ha1 and method.
func (d digestRequest) matches(ha1, method string) bool {
	want := digestResponse(ha1, method, d.uri, d.nonce, d.nc, d.cnonce, d.qop)
	return subtle.ConstantTimeCompare([]byte(want), []byte(d.response)) == 1
}

// maxNonceCounts bounds the nonces whose request counts are remembered.
const maxNonceCounts = 1024

// nonceCounts remembers, per nonce, the highest request count (nc) accepted, so a captured Digest
// response cannot be replayed: RFC 7616 lets a server refuse an nc it has seen. Entries go when
// their nonce expires; when full, the oldest goes.
type nonceCounts struct {
	mu sync.Mutex
	m  map[string]nonceCount
}

type nonceCount struct {
	nc   uint64
	seen time.Time
}

// advance accepts nc for nonce if it is higher than any accepted before, and remembers it.
func (n *nonceCounts) advance(nonce string, nc uint64, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[string]nonceCount)
	}
	if e, ok := n.m[nonce]; ok && nc <= e.nc {
		return false
	}
	if len(n.m) >= maxNonceCounts {
		var oldest string
		var oldestAt time.Time
		for k, e := range n.m {
			if now.Sub(e.seen) > nonceTTL+time.Minute {
				delete(n.m, k)
				continue
			}
			if oldest == "" || e.seen.Before(oldestAt) {
				oldest, oldestAt = k, e.seen
			}
		}
		if len(n.m) >= maxNonceCounts {
			delete(n.m, oldest)
		}
	}
	n.m[nonce] = nonceCount{nc: nc, seen: now}
	return true
}
