package firmware

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/web/auth"
)

// roleHeader carries the test user's role to testGuard.
const roleHeader = "X-Test-Role"

// testGuard lets a request through when the role in roleHeader allows need, like the server's
// middleware (which authenticates for real).
func testGuard(need auth.Role, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role := auth.Role(r.Header.Get(roleHeader))
		if !role.Allows(need) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r.WithContext(auth.WithUser(r.Context(), auth.User{Name: "t", Role: role, Via: "basic"})))
	})
}

type rig struct {
	cam *camtest.Camera
	dir string
	mux *http.ServeMux
}

func newRig(t testing.TB) *rig {
	t.Helper()
	dir := t.TempDir()
	cam, err := camtest.NewIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	New(cam, nil).Register(mux, testGuard)
	return &rig{cam: cam, dir: dir, mux: mux}
}

// get requests path?query as an admin.
func (g *rig) get(t testing.TB, path string, q url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return g.do(t, auth.Admin, http.MethodGet, path, q)
}

func (g *rig) do(t testing.TB, role auth.Role, method, path string, q url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if method == http.MethodPost {
		r = httptest.NewRequest(method, path, strings.NewReader(q.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path+"?"+q.Encode(), nil)
	}
	r.Header.Set(roleHeader, string(role))
	w := httptest.NewRecorder()
	g.mux.ServeHTTP(w, r)
	return w
}

// action runs action.cgi?cmd=cmd&extra… as an admin.
func (g *rig) action(t *testing.T, cmd string, extra ...string) *httptest.ResponseRecorder {
	t.Helper()
	q := url.Values{"cmd": {cmd}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return g.get(t, "/cgi-bin/action.cgi", q)
}

// want checks a response's code and exact body.
func want(t *testing.T, w *httptest.ResponseRecorder, code int, body string) {
	t.Helper()
	if w.Code != code || w.Body.String() != body {
		t.Errorf("got %d %q, want %d %q", w.Code, w.Body.String(), code, body)
	}
}
