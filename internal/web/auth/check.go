package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Check authenticates r: the session cookie first, else an "Authorization: Basic" or "Digest"
// header. It returns the user, or ErrNoCredentials, ErrBadCredentials (errors.Is) or a
// *ThrottledError; pass any error to Challenge. A password check may block for one argon2id
// computation (others wait their turn, until r's context ends); a session or a recently verified
// Basic password costs no hashing.
func (a *Authenticator) Check(r *http.Request) (User, error) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if u, ok := a.checkSession(c.Value); ok {
			return u, nil
		}
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return User{}, ErrNoCredentials
	}
	scheme, rest, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		return a.checkBasic(r, strings.TrimSpace(rest))
	case strings.EqualFold(scheme, "Digest"):
		return a.checkDigest(r, rest)
	}
	return User{}, fmt.Errorf("%w: unsupported authorization scheme", ErrBadCredentials)
}

func (a *Authenticator) checkSession(token string) (User, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh()
	s := a.sessions.get(token, a.now())
	if s == nil {
		return User{}, false
	}
	ac := a.accounts[s.name]
	if ac == nil { // deleted by hand or by `freecam passwd`
		a.sessions.end(token)
		return User{}, false
	}
	return User{Name: ac.name, Role: ac.role, Via: "session", CSRF: s.csrf}, true
}

func (a *Authenticator) checkBasic(r *http.Request, cred string) (User, error) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return User{}, fmt.Errorf("%w: malformed basic credentials", ErrBadCredentials)
	}
	name, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return User{}, fmt.Errorf("%w: malformed basic credentials", ErrBadCredentials)
	}
	ac, err := a.verifyPassword(r.Context(), r.RemoteAddr, name, password)
	if err != nil {
		return User{}, err
	}
	return User{Name: ac.name, Role: ac.role, Via: "basic"}, nil
}

// requestURI is the request-target as the client sent it, which a Digest uri must equal.
func requestURI(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

func (a *Authenticator) checkDigest(r *http.Request, params string) (User, error) {
	d, ok := parseDigest(params)
	if !ok {
		return User{}, fmt.Errorf("%w: malformed digest credentials", ErrBadCredentials)
	}
	if err := a.limiter.Allow(r.RemoteAddr, d.username); err != nil {
		return User{}, err
	}
	fail := func(why string) (User, error) {
		a.limiter.Fail(r.RemoteAddr, d.username)
		return User{}, fmt.Errorf("%w: %s", ErrBadCredentials, why)
	}
	valid, stale := checkNonce(a.nonceKey, d.nonce, a.now())
	if !valid {
		return fail("digest nonce not ours")
	}
	if d.uri != requestURI(r) {
		return fail("digest uri is not the request's")
	}
	ac := a.account(d.username)
	if ac == nil || ac.ha1 == "" {
		return fail("no digest account")
	}
	if !d.matches(ac.ha1, r.Method) {
		return fail("wrong digest response")
	}
	if stale {
		return User{}, errStaleNonce
	}
	// A right response with qop carries a request count that must grow: an nc seen before is a
	// replay. (Without qop, RFC 2069's old clients, a response cannot be told from a replay; it
	// is valid for the nonce's 5 minutes.)
	if d.qop != "" {
		nc, _ := strconv.ParseUint(d.nc, 16, 64)
		if !a.ncs.advance(d.nonce, nc, a.now()) {
			return fail("digest request count replayed")
		}
	}
	a.limiter.Succeed(r.RemoteAddr, d.username)
	return User{Name: ac.name, Role: ac.role, Via: "digest"}, nil
}

// Challenge answers a request that Check refused with err: 429 with Retry-After for a
// *ThrottledError, else 401 with a Basic challenge and, when some account may use Digest, a
// Digest challenge with a fresh nonce (stale=true when the client's nonce had merely expired).
// A browser's fetch without credentials (BrowserFetch: Sec-Fetch-Mode other than navigate, no
// Authorization header) gets the 401 without any challenge, so the browser opens no password
// dialog of its own. The body is WriteError's: {"error": …} under /api/, plain text elsewhere.
func (a *Authenticator) Challenge(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	var te *ThrottledError
	if errors.As(err, &te) {
		secs := int64((te.Wait + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
		WriteError(w, r, http.StatusTooManyRequests, "too many failed logins: wait and try again")
		return
	}
	if !BrowserFetch(r) {
		h.Add("WWW-Authenticate", `Basic realm="`+digestRealm+`", charset="UTF-8"`)
		a.mu.Lock()
		a.refresh()
		anyDigest := a.anyDigest
		a.mu.Unlock()
		if anyDigest {
			h.Add("WWW-Authenticate", a.DigestChallenge(IsStale(err)))
		}
	}
	WriteError(w, r, http.StatusUnauthorized, "authentication required")
}

// Login checks the login form's name and password (throttled like every password check) and on
// success starts a browser session: a fresh token in the freecam_session cookie (HttpOnly,
// Secure, SameSite=Strict, Path=/) and a CSRF token in the returned User. A session the request
// already carried ends.
func (a *Authenticator) Login(w http.ResponseWriter, r *http.Request, name, password string) (User, error) {
	ac, err := a.verifyPassword(r.Context(), r.RemoteAddr, name, password)
	if err != nil {
		return User{}, err
	}
	a.mu.Lock()
	if c, err := r.Cookie(SessionCookie); err == nil {
		a.sessions.end(c.Value)
	}
	token, csrf := a.sessions.create(ac.name, a.now())
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return User{Name: ac.name, Role: ac.role, Via: "session", CSRF: csrf}, nil
}

// Logout ends the request's session, if any, and clears the cookie.
func (a *Authenticator) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		a.mu.Lock()
		a.sessions.end(c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

// Verify checks name and password for another protocol (the RTSP server's Basic hook, ONVIF),
// throttled by addr ("host:port" or a host) and name. It blocks for at most one argon2id
// computation after waiting for others.
func (a *Authenticator) Verify(name, password, addr string) (User, error) {
	ac, err := a.verifyPassword(context.Background(), addr, name, password)
	if err != nil {
		return User{}, err
	}
	return User{Name: ac.name, Role: ac.role, Via: "basic"}, nil
}
