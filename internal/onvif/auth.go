package onvif

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
	"github.com/freecam/freecam/internal/web/auth"
)

// Accounts is what the server needs of freecam's accounts (*auth.Authenticator implements it).
type Accounts interface {
	// Verify checks a clear password (WS-Security PasswordText), throttled by addr and name.
	Verify(name, password, addr string) (auth.User, error)
	// DigestSecret returns the password of an account that opted into digest authentication,
	// for WS-Security PasswordDigest; ok is false for any other name.
	DigestSecret(name string) (password string, ok bool)
	// Role returns the role of the account name.
	Role(name string) (auth.Role, bool)
	// Allow, Fail and Succeed are the login throttle: Allow before a check (a
	// *auth.ThrottledError refuses it unchecked), then Fail or Succeed.
	Allow(addr, name string) error
	Fail(addr, name string)
	Succeed(addr, name string)
	// CheckDigest authenticates r by HTTP Digest only.
	CheckDigest(r *http.Request) (auth.User, error)
	// DigestChallenge returns a WWW-Authenticate value with a fresh Digest nonce.
	DigestChallenge(stale bool) string
}

// authenticate establishes who sent req and whether they may call an operation of class
// access, in this order: a WS-Security UsernameToken, else an HTTP Digest Authorization header,
// else anonymous for an Open operation, else a 401 Digest challenge. Credentials that are sent
// are checked even for Open operations. On refusal it writes the answer and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, req *soap.Request, access soap.Access) (*soap.Call, bool) {
	call := &soap.Call{Req: req, BaseURL: baseURL(r)}
	var role auth.Role
	switch {
	case req.Security != nil:
		u, err := s.checkToken(r, req.Security)
		if err != nil {
			s.refused(r, req.Security.Username, "ws-security", err)
			soap.NotAuthorized(w, req.Version)
			return nil, false
		}
		call.User, role = u.Name, u.Role
	case hasDigest(r):
		u, err := s.o.Accounts.CheckDigest(r)
		if err != nil {
			s.refused(r, digestUser(r), "http-digest", err)
			s.challenge(w, req.Version, err)
			return nil, false
		}
		call.User, role = u.Name, u.Role
	case access == soap.Open:
		return call, true
	default:
		s.challenge(w, req.Version, nil)
		return nil, false
	}
	call.Admin = role == auth.Admin
	if !role.Allows(auth.Viewer) || access == soap.Admin && !call.Admin {
		s.o.Log.Info("onvif: operation refused", "user", call.User, "addr", r.RemoteAddr,
			"op", req.Operation.Local, "role", string(role), "needs", access.String())
		// The subcode is what clients act on; the reason tells the user it is not the password.
		soap.WriteFault(w, req.Version, soap.Sender, []string{soap.SubNotAuthorized},
			"account "+call.User+" is a "+string(role)+": "+req.Operation.Local+" needs an admin account", http.StatusBadRequest)
		return nil, false
	}
	return call, true
}

// checkToken verifies a UsernameToken: PasswordDigest against the account's digest secret
// (throttled here, replayed nonces refused), PasswordText through Accounts.Verify (which
// throttles itself).
func (s *Server) checkToken(r *http.Request, t *soap.UsernameToken) (auth.User, error) {
	a := s.o.Accounts
	if t.PasswordType == soap.PasswordText && t.Username != "" {
		return a.Verify(t.Username, t.Password, r.RemoteAddr)
	}
	if err := a.Allow(r.RemoteAddr, t.Username); err != nil {
		return auth.User{}, err
	}
	name, err := s.verifier.Verify(t)
	if err != nil {
		// A replay carries a right digest: the owner's client resending, or a captured
		// message. Refuse it without counting a failed guess.
		if !soap.IsReplay(err) {
			a.Fail(r.RemoteAddr, t.Username)
		}
		return auth.User{}, err
	}
	role, ok := a.Role(name)
	if !ok {
		return auth.User{}, &soap.AuthError{User: name, Reason: "account deleted"}
	}
	a.Succeed(r.RemoteAddr, name)
	return auth.User{Name: name, Role: role, Via: "ws-security"}, nil
}

// refused logs a refused login at Info: the user (cut short: anyone may send one), the address
// and why, never the password. Attempts refused by the throttle, which logs once when it starts,
// go to Debug, so a client retrying all day cannot fill the log.
func (s *Server) refused(r *http.Request, user, via string, err error) {
	level := slog.LevelInfo
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		level = slog.LevelDebug
	}
	reason := err.Error()
	var ae *soap.AuthError
	if errors.As(err, &ae) {
		reason = ae.Reason
	}
	// The commonest surprise: the right password of an account that has no digest secret (the
	// first admin, or any account made without --digest).
	if level == slog.LevelInfo && (ae != nil || via == "http-digest") {
		if _, known := s.o.Accounts.Role(user); known {
			if _, digest := s.o.Accounts.DigestSecret(user); !digest {
				reason = "the account does not allow digest logins, which ONVIF needs: set its password again with " +
					"`freecam passwd --digest " + user + "` or tick Digest / ONVIF on the System page"
			}
		}
	}
	s.o.Log.Log(r.Context(), level, "onvif: login refused", "user", auth.LogName(user), "addr", r.RemoteAddr, "via", via, "reason", reason)
}

// challenge answers a request without acceptable HTTP credentials: 429 with Retry-After when
// throttled, else 401 with a Digest challenge (never Basic: this is plain HTTP). The body is
// the ter:NotAuthorized fault.
func (s *Server) challenge(w http.ResponseWriter, version soap.Version, err error) {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		secs := int64((te.Wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
		soap.WriteFault(w, version, soap.Sender, []string{soap.SubNotAuthorized}, soap.ReasonNotAuthorized, http.StatusTooManyRequests)
		return
	}
	stale := err != nil && s.o.StaleDigest != nil && s.o.StaleDigest(err)
	w.Header().Set("WWW-Authenticate", s.o.Accounts.DigestChallenge(stale))
	soap.WriteFault(w, version, soap.Sender, []string{soap.SubNotAuthorized}, soap.ReasonNotAuthorized, http.StatusUnauthorized)
}

// hasDigest reports whether r carries an "Authorization: Digest" header.
func hasDigest(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Digest")
}

// digestUser is the username parameter of r's Digest header, for the log.
func digestUser(r *http.Request) string {
	_, params, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	i := strings.Index(params, "username=")
	if i < 0 {
		return ""
	}
	v := strings.TrimPrefix(params[i+len("username="):], `"`)
	if j := strings.IndexAny(v, `",`); j >= 0 {
		v = v[:j]
	}
	if len(v) > 64 {
		v = v[:64]
	}
	return v
}

// serveSnapshot serves GET SnapshotPath to a viewer authenticated by HTTP Digest.
func (s *Server) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	u, err := s.o.Accounts.CheckDigest(r)
	if err == nil && !u.Role.Allows(auth.Viewer) {
		err = errors.New("no role")
	}
	if err != nil {
		if hasDigest(r) {
			s.refused(r, digestUser(r), "http-digest", err)
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			h.Set("Retry-After", strconv.FormatInt(max(int64((te.Wait+time.Second-1)/time.Second), 1), 10))
			http.Error(w, "too many failed logins: wait and try again", http.StatusTooManyRequests)
			return
		}
		stale := s.o.StaleDigest != nil && s.o.StaleDigest(err)
		h.Set("WWW-Authenticate", s.o.Accounts.DigestChallenge(stale))
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	if s.o.Snapshot == nil {
		http.NotFound(w, r)
		return
	}
	s.o.Snapshot.ServeHTTP(w, r)
}
