package auth

import "context"

// Role is what an account may do.
type Role string

// The roles. Admin may do everything; Viewer may watch (live view, snapshots, MJPEG, RTSP) and read
// the camera's state, and change nothing.
const (
	Admin  Role = "admin"
	Viewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Admin || r == Viewer }

// Allows reports whether an account of role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r == Admin || r == need && r.Valid() }

// User is an authenticated account as the handlers see it.
type User struct {
	Name string
	Role Role
	// Via says how the request authenticated: "session", "basic", "digest" or "anonymous"
	// (anonymous snapshot access, only when an admin turned it on).
	Via string
	// CSRF is the session's anti-forgery token (sessions only), for forms and fetch headers.
	CSRF string
}

type ctxKey struct{}

// WithUser returns ctx carrying u.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// UserFrom returns the user the request authenticated as; ok is false on an unauthenticated
// request (which the server's middleware never lets reach a protected handler).
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(ctxKey{}).(User)
	return u, ok
}
