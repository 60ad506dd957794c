package auth

import "testing"

func BenchmarkVerifyArgon2(b *testing.B) {
	a, _ := newTestAuth(b, "")
	a.params = defaultParams
	mustSet(b, a, "admin", Admin, "admin password", false)
	b.ReportAllocs()
	for b.Loop() {
		a.mu.Lock()
		clear(a.cache)
		a.mu.Unlock()
		if _, err := a.Verify("admin", "admin password", "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCached(b *testing.B) {
	a, _ := newTestAuth(b, "")
	a.params = defaultParams
	mustSet(b, a, "admin", Admin, "admin password", false)
	a.Verify("admin", "admin password", "10.0.0.1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Verify("admin", "admin password", "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckSession(b *testing.B) {
	a, _ := newTestAuth(b, "")
	mustSet(b, a, "admin", Admin, "admin password", false)
	r := cookieRequest(loginToken(b, a, "admin", "admin password"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Check(r); err != nil {
			b.Fatal(err)
		}
	}
}
