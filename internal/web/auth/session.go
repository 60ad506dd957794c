package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "freecam_session"

// session is one logged-in browser. Sessions live in memory only: a restart logs everyone out.
type session struct {
	name     string
	csrf     string
	lastUsed time.Time
}

// sessions maps the SHA-256 of a token to its session, so that a token never sits in memory
// longer than the request that carried it. Not safe for concurrent use: the Authenticator's mutex
// guards it.
type sessions struct {
	ttl time.Duration
	max int
	m   map[[32]byte]*session
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for name and returns its token and CSRF token, evicting the least
// recently used session when there are max already.
func (s *sessions) create(name string, now time.Time) (token, csrf string) {
	s.expire(now)
	for len(s.m) >= s.max {
		var oldest [32]byte
		var t time.Time
		first := true
		for k, v := range s.m {
			if first || v.lastUsed.Before(t) {
				oldest, t, first = k, v.lastUsed, false
			}
		}
		delete(s.m, oldest)
	}
	token, csrf = newToken(), newToken()
	s.m[sha256.Sum256([]byte(token))] = &session{name: name, csrf: csrf, lastUsed: now}
	return token, csrf
}

// get returns the live session of token and slides its idle expiry.
func (s *sessions) get(token string, now time.Time) *session {
	k := sha256.Sum256([]byte(token))
	v, ok := s.m[k]
	if !ok {
		return nil
	}
	if now.Sub(v.lastUsed) > s.ttl {
		delete(s.m, k)
		return nil
	}
	v.lastUsed = now
	return v
}

func (s *sessions) end(token string) {
	delete(s.m, sha256.Sum256([]byte(token)))
}

// endUser ends every session of name.
func (s *sessions) endUser(name string) {
	for k, v := range s.m {
		if v.name == name {
			delete(s.m, k)
		}
	}
}

func (s *sessions) expire(now time.Time) {
	for k, v := range s.m {
		if now.Sub(v.lastUsed) > s.ttl {
			delete(s.m, k)
		}
	}
}
