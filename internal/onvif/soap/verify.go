package soap

import (
	"crypto/sha1" //nolint:gosec // WS-Security UsernameToken Profile 1.0 defines the digest as SHA-1
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"
)

// Verifier defaults.
const (
	DefaultSkew        = 5 * time.Minute
	DefaultReplayCache = 4096
)

// Verifier checks WS-Security UsernameTokens. Its zero value verifies nothing (every token is
// refused); set Secret for PasswordDigest and CheckText for PasswordText. It is safe for
// concurrent use once in use; do not change its fields then.
type Verifier struct {
	// Secret returns the password a PasswordDigest is computed with (the plain or sealed secret
	// the account store keeps for ONVIF/RTSP digests). nil: PasswordDigest is refused.
	Secret func(user string) (password string, ok bool)
	// CheckText checks a PasswordText against the account store. nil: PasswordText is refused.
	CheckText func(user, password string) bool
	// Skew is how far Created may lie from Now, either way. Default DefaultSkew.
	Skew time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// ReplayCache bounds the remembered nonces. Default DefaultReplayCache. A nonce is
	// remembered for 2*Skew; when the cache is full of unexpired nonces the oldest is forgotten.
	ReplayCache int

	mu   sync.Mutex
	seen map[string]time.Time // nonce → when it may be forgotten
	fifo []string             // nonces in insertion order, a ring of ReplayCache slots
	head int                  // oldest slot in fifo once it is full
}

// AuthError is a refused UsernameToken: answer it with a ter:NotAuthorized fault
// (NotAuthorized). It never holds the password.
type AuthError struct {
	User   string
	Reason string
}

func (e *AuthError) Error() string {
	if e.User == "" {
		return "soap: not authorized: " + e.Reason
	}
	return "soap: not authorized: user " + quote(e.User) + ": " + e.Reason
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// Verify checks t and returns the authenticated user name, or an *AuthError.
//
// PasswordDigest: Nonce and Created are required, Created must lie within ±Skew of Now, the
// digest Base64(SHA-1(nonce + Created + password)) must match in constant time, and the nonce
// must not have been accepted before. PasswordText goes to CheckText (Created, when present,
// must also lie within ±Skew).
func (v *Verifier) Verify(t *UsernameToken) (string, error) {
	if t == nil {
		return "", &AuthError{Reason: "no UsernameToken"}
	}
	user := t.Username
	if user == "" {
		return "", &AuthError{Reason: "empty Username"}
	}
	switch t.PasswordType {
	case PasswordDigest:
		return v.verifyDigest(t)
	case PasswordText:
		if v.CheckText == nil {
			return "", &AuthError{User: user, Reason: "PasswordText not accepted"}
		}
		if t.Created != "" {
			if err := v.checkCreated(t); err != nil {
				return "", err
			}
		}
		if !v.CheckText(user, t.Password) {
			return "", &AuthError{User: user, Reason: "wrong password or unknown user"}
		}
		return user, nil
	}
	return "", &AuthError{User: user, Reason: "unsupported password type"}
}

func (v *Verifier) skew() time.Duration {
	if v.Skew > 0 {
		return v.Skew
	}
	return DefaultSkew
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) checkCreated(t *UsernameToken) error {
	var created time.Time
	var err error
	// The xs:dateTime forms clients send; one without a zone is taken as UTC.
	for _, l := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if created, err = time.Parse(l, t.Created); err == nil {
			break
		}
	}
	if err != nil {
		return &AuthError{User: t.Username, Reason: "malformed Created " + quote(t.Created)}
	}
	d := v.now().Sub(created)
	if d > v.skew() {
		return &AuthError{User: t.Username, Reason: "Created too old (" + d.Round(time.Second).String() + " ago)"}
	}
	if d < -v.skew() {
		return &AuthError{User: t.Username, Reason: "Created in the future (" + (-d).Round(time.Second).String() + " ahead)"}
	}
	return nil
}

// dummySecret is hashed for unknown users so that they take as long as known ones.
const dummySecret = "freecam-unknown-user"

func (v *Verifier) verifyDigest(t *UsernameToken) (string, error) {
	user := t.Username
	if v.Secret == nil {
		return "", &AuthError{User: user, Reason: "PasswordDigest not accepted"}
	}
	if t.NonceRaw == "" {
		return "", &AuthError{User: user, Reason: "missing Nonce"}
	}
	if t.Nonce == nil {
		return "", &AuthError{User: user, Reason: "Nonce is not base64"}
	}
	if t.Created == "" {
		return "", &AuthError{User: user, Reason: "missing Created"}
	}
	if err := v.checkCreated(t); err != nil {
		return "", err
	}
	secret, known := v.Secret(user)
	if !known {
		secret = dummySecret
	}
	want := PasswordDigestOf(t.Nonce, t.Created, secret)
	ok := subtle.ConstantTimeCompare([]byte(want), []byte(t.Password)) == 1
	if !known || !ok {
		return "", &AuthError{User: user, Reason: "wrong password or unknown user"}
	}
	if !v.remember(t.Nonce) {
		return "", &AuthError{User: user, Reason: ReasonReplay}
	}
	return user, nil
}

// ReasonReplay is the AuthError.Reason of a nonce used twice.
const ReasonReplay = "nonce replayed"

// IsReplay reports whether err is an AuthError for a replayed nonce.
func IsReplay(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae) && ae.Reason == ReasonReplay
}

// PasswordDigestOf returns Base64(SHA-1(nonce + created + password)), the UsernameToken
// PasswordDigest.
func PasswordDigestOf(nonce []byte, created, password string) string {
	h := sha1.New() //nolint:gosec // mandated by the profile
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// remember records nonce and reports whether it was new.
func (v *Verifier) remember(nonce []byte) bool {
	now := v.now()
	key := string(nonce)
	v.mu.Lock()
	defer v.mu.Unlock()
	if exp, ok := v.seen[key]; ok && now.Before(exp) {
		return false
	}
	size := v.ReplayCache
	if size <= 0 {
		size = DefaultReplayCache
	}
	if v.seen == nil {
		v.seen = make(map[string]time.Time)
	}
	if _, ok := v.seen[key]; !ok {
		if len(v.fifo) < size {
			v.fifo = append(v.fifo, key)
		} else {
			// Full: reuse the oldest slot. Nonces expire in insertion order (same lifetime), so
			// the oldest is the first to have expired, or the least harmful to forget.
			delete(v.seen, v.fifo[v.head])
			v.fifo[v.head] = key
			v.head = (v.head + 1) % len(v.fifo)
		}
	}
	v.seen[key] = now.Add(2 * v.skew())
	return true
}
