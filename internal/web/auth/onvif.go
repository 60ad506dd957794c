package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The methods below are what the ONVIF server needs of the accounts: it checks WS-Security
// UsernameTokens itself (package onvif/soap) with the secrets and the throttle kept here, and
// serves its snapshot URL on plain HTTP, where only Digest may be used.

// DigestSecret returns the password of an account that opted into digest authentication, for
// WS-Security PasswordDigest; ok is false for an unknown account, one without digest, or one whose
// sealed password cannot be opened (logged once per account and cause).
func (a *Authenticator) DigestSecret(name string) (password string, ok bool) {
	ac := a.account(name)
	if ac == nil || ac.ha1 == "" {
		return "", false
	}
	if ac.sealed == "" {
		a.logOnce("digest account without a sealed password: set its password again (freecam passwd --digest "+name+") to use ONVIF", name)
		return "", false
	}
	p, err := a.unseal(name, ac.sealed)
	if err != nil {
		a.logOnce(err.Error(), name)
		return "", false
	}
	return p, true
}

// logOnce logs msg for user at warning level the first time it is seen.
func (a *Authenticator) logOnce(msg, user string) {
	a.mu.Lock()
	if a.warned == nil {
		a.warned = make(map[string]bool)
	}
	seen := a.warned[msg]
	a.warned[msg] = true
	a.mu.Unlock()
	if !seen {
		a.log.Warn(msg, "user", user)
	}
}

// Role returns the role of the account name.
func (a *Authenticator) Role(name string) (Role, bool) {
	ac := a.account(name)
	if ac == nil {
		return "", false
	}
	return ac.role, true
}

// Allow, Fail and Succeed are the login throttle (the one every password check goes through),
// for protocols that check credentials themselves: Allow before a check (a *ThrottledError
// refuses it unseen), then Fail or Succeed.
func (a *Authenticator) Allow(addr, name string) error { return a.limiter.Allow(addr, name) }
func (a *Authenticator) Fail(addr, name string)        { a.limiter.Fail(addr, name) }
func (a *Authenticator) Succeed(addr, name string)     { a.limiter.Succeed(addr, name) }

// CheckDigest authenticates r by HTTP Digest only: no session cookie and no Basic, for URLs on
// plain HTTP where a password must not cross the network. Errors are as Check's.
func (a *Authenticator) CheckDigest(r *http.Request) (User, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return User{}, ErrNoCredentials
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Digest") {
		return User{}, fmt.Errorf("%w: only Digest is accepted here (the connection is not encrypted)", ErrBadCredentials)
	}
	return a.checkDigest(r, rest)
}

// DigestChallenge is a WWW-Authenticate value with a fresh Digest nonce; stale tells the client
// its response was right but its nonce expired.
func (a *Authenticator) DigestChallenge(stale bool) string {
	c := `Digest realm="` + digestRealm + `", qop="auth", algorithm=MD5, nonce="` + newNonce(a.nonceKey, a.now()) + `"`
	if stale {
		c += ", stale=true"
	}
	return c
}

// IsStale reports whether err (from CheckDigest or Check) refused a right Digest response whose
// nonce had expired: answer with DigestChallenge(true).
func IsStale(err error) bool { return errors.Is(err, errStaleNonce) }
