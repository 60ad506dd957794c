package auth

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// cheapParams keep the tests quick under -race; TestArgon2RoundTrip and the benchmarks use the
// real ones.
var cheapParams = argonParams{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestAuth returns an Authenticator on dir (a new temporary directory when empty) with cheap
// argon2 parameters and a settable clock.
func newTestAuth(t testing.TB, dir string) (*Authenticator, *clock) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	c := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	a, err := New(Options{ConfigDir: dir, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	a.params = cheapParams
	a.dummy = dummyHash(cheapParams)
	return a, c
}

func mustSet(t testing.TB, a *Authenticator, name string, role Role, password string, digest bool) {
	t.Helper()
	if err := a.SetPassword(name, role, password, digest); err != nil {
		t.Fatalf("SetPassword(%s): %v", name, err)
	}
}

func basicRequest(addr, name, password string) *http.Request {
	r := httptest.NewRequest("GET", "/snapshot.jpg", nil)
	r.RemoteAddr = addr
	r.SetBasicAuth(name, password)
	return r
}
