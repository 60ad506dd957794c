package ui

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/web/auth"
)

const testCSRF = "csrf-token-for-tests"

// fakeAuth is an Authenticator with one password ("right") and a switch that throttles.
type fakeAuth struct {
	mu       sync.Mutex
	throttle time.Duration
	accounts []auth.Account
	calls    []string
}

var _ Authenticator = (*fakeAuth)(nil)
var _ Authenticator = (*auth.Authenticator)(nil)

func (a *fakeAuth) Login(w http.ResponseWriter, r *http.Request, name, password string) (auth.User, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.throttle > 0 {
		return auth.User{}, &auth.ThrottledError{Wait: a.throttle}
	}
	if name == "admin" && password == "right" {
		return auth.User{Name: name, Role: auth.Admin, Via: "session"}, nil
	}
	return auth.User{}, auth.ErrBadCredentials
}

func (a *fakeAuth) Logout(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, "Logout")
}

func (a *fakeAuth) Users() []auth.Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.accounts)
}

func (a *fakeAuth) SetPassword(name string, role auth.Role, password string, digest bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, "SetPassword "+name+" "+string(role)+" "+password)
	if len(password) < 8 {
		return errors.New("the password must have at least 8 characters")
	}
	if i := slices.IndexFunc(a.accounts, func(x auth.Account) bool { return x.Name == name }); i >= 0 {
		a.accounts[i].Digest = digest
		return nil
	}
	a.accounts = append(a.accounts, auth.Account{Name: name, Role: role, Digest: digest})
	return nil
}

func (a *fakeAuth) DeleteUser(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, "DeleteUser "+name)
	a.accounts = slices.DeleteFunc(a.accounts, func(x auth.Account) bool { return x.Name == name })
	return nil
}

func (a *fakeAuth) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

// env is the pages on a fake camera with a real config dir, behind a guard that lets the
// request through as a user of role (403 when the role does not allow the route).
type env struct {
	cam  *camtest.Camera
	auth *fakeAuth
	dir  string
	mux  *http.ServeMux
	role auth.Role
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	cam, err := camtest.NewIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{cam: cam, dir: dir, mux: http.NewServeMux(), role: auth.Admin,
		auth: &fakeAuth{accounts: []auth.Account{{Name: "admin", Role: auth.Admin}}}}
	u, err := New(Options{Camera: cam, Auth: e.auth, Version: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	guard := func(need auth.Role, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !e.role.Allows(need) {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			u := auth.User{Name: "tester", Role: e.role, Via: "session", CSRF: testCSRF}
			h.ServeHTTP(w, r.WithContext(auth.WithUser(r.Context(), u)))
		})
	}
	u.Register(e.mux, guard, func(h http.Handler) http.Handler { return h })
	return e
}

func (e *env) do(t *testing.T, method, path string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return w.Result()
}

func (e *env) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res := e.do(t, "GET", path, nil)
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *env) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf", testCSRF)
	res := e.do(t, "POST", path, form)
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (e *env) file(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hasCall(calls []string, want string) bool { return slices.Contains(calls, want) }

func countCalls(calls []string, want string) int {
	n := 0
	for _, c := range calls {
		if c == want {
			n++
		}
	}
	return n
}
