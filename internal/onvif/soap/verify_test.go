package soap

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// secrets is the test account store: admin/secret, viewer/"pa ss".
func secrets(user string) (string, bool) {
	switch user {
	case "admin":
		return "secret", true
	case "viewer":
		return "pa ss", true
	}
	return "", false
}

func digestToken(user, password, created string, nonce []byte) *UsernameToken {
	return &UsernameToken{
		Username:     user,
		Password:     PasswordDigestOf(nonce, created, password),
		PasswordType: PasswordDigest,
		Nonce:        nonce,
		NonceRaw:     "set",
		Created:      created,
	}
}

func TestPasswordDigestOf(t *testing.T) {
	// Computed independently: printf 'abcd2025-09-30T00:16:45Zsecret' | openssl sha1 -binary | base64
	got := PasswordDigestOf([]byte("abcd"), "2025-09-30T00:16:45Z", "secret")
	want := "KVBvsfHPs8nXA0ozxe1s+XrPpj4="
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestVerifyDigest(t *testing.T) {
	created := testNow.Format(time.RFC3339)
	nonce := []byte("nonce-0001")
	tests := []struct {
		name   string
		tok    *UsernameToken
		want   string // user, "" when refused
		reason string // substring of the AuthError
	}{
		{"ok", digestToken("admin", "secret", created, nonce), "admin", ""},
		{"ok offset zone", digestToken("admin", "secret", "2025-09-30T02:16:45+02:00", nonce), "admin", ""},
		{"ok no zone", digestToken("admin", "secret", "2025-09-30T00:16:45", nonce), "admin", ""},
		{"ok 4 min old", digestToken("admin", "secret", testNow.Add(-4*time.Minute).Format(time.RFC3339Nano), nonce), "admin", ""},
		{"ok 4 min ahead", digestToken("admin", "secret", testNow.Add(4*time.Minute).Format(time.RFC3339Nano), nonce), "admin", ""},
		{"wrong password", digestToken("admin", "wrong", created, nonce), "", "wrong password"},
		{"unknown user", digestToken("mallory", "secret", created, nonce), "", "wrong password or unknown user"},
		{"too old", digestToken("admin", "secret", testNow.Add(-6*time.Minute).Format(time.RFC3339), nonce), "", "too old"},
		{"too far ahead", digestToken("admin", "secret", testNow.Add(6*time.Minute).Format(time.RFC3339), nonce), "", "future"},
		{"malformed created", digestToken("admin", "secret", "yesterday", nonce), "", "malformed Created"},
		{"missing nonce", func() *UsernameToken {
			tk := digestToken("admin", "secret", created, nil)
			tk.NonceRaw = ""
			return tk
		}(), "", "missing Nonce"},
		{"nonce not base64", func() *UsernameToken {
			tk := digestToken("admin", "secret", created, nil)
			tk.NonceRaw = "!!!"
			return tk
		}(), "", "not base64"},
		{"missing created", digestToken("admin", "secret", "", nonce), "", "missing Created"},
		{"empty user", digestToken("", "secret", created, nonce), "", "empty Username"},
		{"nil token", nil, "", "no UsernameToken"},
		{"unsupported type", &UsernameToken{Username: "admin", Password: "secret", PasswordType: PasswordUnsupported}, "", "unsupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Secret: secrets, Now: func() time.Time { return testNow }}
			user, err := v.Verify(tt.tok)
			if user != tt.want {
				t.Errorf("user: got %q, want %q (err %v)", user, tt.want, err)
			}
			if tt.reason == "" {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("got %T %v, want *AuthError", err, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("got %q, want it to contain %q", err, tt.reason)
			}
			if strings.Contains(err.Error(), "secret") || (tt.tok != nil && tt.tok.Password != "" && strings.Contains(err.Error(), tt.tok.Password)) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestVerifyDigestUnsupported(t *testing.T) {
	v := &Verifier{CheckText: func(string, string) bool { return true }, Now: func() time.Time { return testNow }}
	_, err := v.Verify(digestToken("admin", "secret", testNow.Format(time.RFC3339), []byte("n")))
	if err == nil || !strings.Contains(err.Error(), "PasswordDigest not accepted") {
		t.Errorf("got %v, want PasswordDigest not accepted", err)
	}
}

func TestVerifyReplay(t *testing.T) {
	now := testNow
	v := &Verifier{Secret: secrets, Now: func() time.Time { return now }}
	created := testNow.Format(time.RFC3339)
	tok := digestToken("admin", "secret", created, []byte("nonce-A"))
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("first use: got %v, want nil", err)
	}
	if _, err := v.Verify(tok); !IsReplay(err) {
		t.Errorf("second use: got %v, want a replay error", err)
	}
	// The same nonce with another Created is still a replay.
	now = now.Add(time.Minute)
	if _, err := v.Verify(digestToken("admin", "secret", now.Format(time.RFC3339), []byte("nonce-A"))); !IsReplay(err) {
		t.Errorf("same nonce, new Created: got %v, want a replay error", err)
	}
	// A wrong password does not burn the nonce for its owner.
	if _, err := v.Verify(digestToken("admin", "guess", created, []byte("nonce-B"))); err == nil || IsReplay(err) {
		t.Errorf("wrong password: got %v, want a non-replay AuthError", err)
	}
	if _, err := v.Verify(digestToken("admin", "secret", created, []byte("nonce-B"))); err != nil {
		t.Errorf("nonce after a failed guess: got %v, want nil", err)
	}
	// After 2*Skew the nonce is forgotten, but its Created is then out of range anyway.
	now = testNow.Add(11 * time.Minute)
	if _, err := v.Verify(tok); err == nil || IsReplay(err) || !strings.Contains(err.Error(), "too old") {
		t.Errorf("old token: got %v, want too old", err)
	}
	fresh := digestToken("admin", "secret", now.Format(time.RFC3339), []byte("nonce-A"))
	if _, err := v.Verify(fresh); err != nil {
		t.Errorf("expired nonce reused with a fresh Created: got %v, want nil", err)
	}
}

func TestVerifyReplayCacheBounded(t *testing.T) {
	v := &Verifier{Secret: secrets, Now: func() time.Time { return testNow }, ReplayCache: 8}
	created := testNow.Format(time.RFC3339)
	for i := range 100 {
		if _, err := v.Verify(digestToken("admin", "secret", created, fmt.Appendf(nil, "n%d", i))); err != nil {
			t.Fatalf("nonce %d: %v", i, err)
		}
	}
	if len(v.seen) != 8 || len(v.fifo) != 8 {
		t.Errorf("cache: got %d entries, %d slots, want 8, 8", len(v.seen), len(v.fifo))
	}
	// The newest eight are remembered.
	for i := 92; i < 100; i++ {
		if _, err := v.Verify(digestToken("admin", "secret", created, fmt.Appendf(nil, "n%d", i))); !IsReplay(err) {
			t.Errorf("nonce %d: got %v, want replay", i, err)
		}
	}
}

func TestVerifyConcurrentReplay(t *testing.T) {
	v := &Verifier{Secret: secrets, Now: func() time.Time { return testNow }}
	tok := digestToken("admin", "secret", testNow.Format(time.RFC3339), []byte("race"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for range 16 {
		wg.Go(func() {
			if _, err := v.Verify(tok); err == nil {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if accepted != 1 {
		t.Errorf("accepted: got %d, want 1", accepted)
	}
}

func TestVerifyText(t *testing.T) {
	check := func(user, password string) bool {
		p, ok := secrets(user)
		return ok && p == password
	}
	tests := []struct {
		name    string
		v       func() *Verifier
		tok     UsernameToken
		want    string
		wantErr string
	}{
		{"ok", func() *Verifier { return &Verifier{CheckText: check} }, UsernameToken{Username: "viewer", Password: "pa ss"}, "viewer", ""},
		{"ok with created", func() *Verifier { return &Verifier{CheckText: check} }, UsernameToken{Username: "viewer", Password: "pa ss", Created: testNow.Format(time.RFC3339)}, "viewer", ""},
		{"wrong", func() *Verifier { return &Verifier{CheckText: check} }, UsernameToken{Username: "viewer", Password: "hunter2"}, "", "wrong password"},
		{"unknown user", func() *Verifier { return &Verifier{CheckText: check} }, UsernameToken{Username: "nobody", Password: "x"}, "", "unknown user"},
		{"stale created", func() *Verifier { return &Verifier{CheckText: check} }, UsernameToken{Username: "viewer", Password: "pa ss", Created: "2025-09-29T00:00:00Z"}, "", "too old"},
		{"text unsupported", func() *Verifier { return &Verifier{Secret: secrets} }, UsernameToken{Username: "viewer", Password: "pa ss"}, "", "PasswordText not accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v()
			v.Now = func() time.Time { return testNow }
			user, err := v.Verify(&tt.tok)
			if user != tt.want {
				t.Errorf("user: got %q, want %q", user, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), tt.tok.Password):
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}
