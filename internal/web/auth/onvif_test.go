package auth

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestSecretIsSealedAndOpens(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestAuth(t, dir)
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "ha", Viewer, "ha onvif password", true)

	if p, ok := a.DigestSecret("ha"); !ok || p != "ha onvif password" {
		t.Errorf("DigestSecret(ha): got %q, %v; want the password", p, ok)
	}
	for _, name := range []string{"admin", "nobody"} {
		if p, ok := a.DigestSecret(name); ok || p != "" {
			t.Errorf("DigestSecret(%s): got %q, %v; want nothing (no digest / no account)", name, p, ok)
		}
	}
	users, _ := os.ReadFile(filepath.Join(dir, UsersFile))
	if bytes.Contains(users, []byte("ha onvif password")) {
		t.Fatalf("the users file holds the password in clear:\n%s", users)
	}
	if !bytes.Contains(users, []byte(":"+sealPrefix)) {
		t.Errorf("users file has no sealed password:\n%s", users)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("key file: got %v, %v; want 32 bytes with mode 0600", fi, err)
	}

	// A new Authenticator (freecam restarted) opens it with the key file.
	b, _ := newTestAuth(t, dir)
	if p, ok := b.DigestSecret("ha"); !ok || p != "ha onvif password" {
		t.Errorf("after a restart: got %q, %v; want the password", p, ok)
	}
	// Without the key (replaced), it does not open, and says so instead of using garbage.
	os.WriteFile(filepath.Join(dir, KeyFile), bytes.Repeat([]byte{7}, 32), 0o600)
	c, _ := newTestAuth(t, dir)
	if p, ok := c.DigestSecret("ha"); ok || p != "" {
		t.Errorf("with another key: got %q, %v; want nothing", p, ok)
	}
	// Moved to another account's line, a sealed password does not open either.
	line := strings.Split(string(users), "\n")
	var sealed string
	for _, l := range line {
		if strings.HasPrefix(l, "ha:") {
			f := strings.Split(l, ":")
			sealed = f[len(f)-1]
		}
	}
	if _, err := a.unseal("admin", sealed); err == nil {
		t.Error("a sealed password opened under another name")
	}
	// Setting the password without digest removes the HA1 and the sealed password.
	mustSet(t, a, "ha", Viewer, "ha onvif password", false)
	if _, ok := a.DigestSecret("ha"); ok {
		t.Error("DigestSecret after digest was turned off: got ok")
	}
	users, _ = os.ReadFile(filepath.Join(dir, UsersFile))
	if bytes.Contains(users, []byte(sealPrefix)) {
		t.Errorf("sealed password kept after digest was turned off:\n%s", users)
	}
}

func TestUsersFileFromBeforeSealedPasswords(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestAuth(t, dir)
	mustSet(t, a, "ha", Viewer, "ha onvif password", true)
	// The line as freecam wrote it before ONVIF: name:role:phc:ha1, no sealed password.
	data, _ := os.ReadFile(filepath.Join(dir, UsersFile))
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "ha:") {
			l = l[:strings.LastIndex(l, ":")]
		}
		out = append(out, l)
	}
	os.WriteFile(filepath.Join(dir, UsersFile), []byte(strings.Join(out, "\n")), 0o600)
	b, _ := newTestAuth(t, dir)
	if u := b.Users(); len(u) != 1 || !u[0].Digest {
		t.Fatalf("got %+v, want ha with digest", u)
	}
	if _, ok := b.DigestSecret("ha"); ok {
		t.Error("DigestSecret of an account without a sealed password: got ok")
	}

	for _, bad := range []string{"ha:viewer:PHC:0123456789abcdef0123456789abcdef:x1.abc", "ha:viewer:PHC:0123456789abcdef0123456789abcdef:s1.!!"} {
		bad = strings.Replace(bad, "PHC", hashPassword(cheapParams, "p"), 1)
		if _, err := parseAccount(bad); err == nil || !strings.Contains(err.Error(), "sealed password") {
			t.Errorf("parseAccount(%q): got %v, want a sealed-password error", bad, err)
		}
	}
}

func TestCheckDigestRefusesBasic(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "cam", Viewer, "cam password", true)
	if _, err := a.CheckDigest(basicRequest("10.0.0.1:1", "cam", "cam password")); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("Basic on a Digest-only URL: got %v, want ErrBadCredentials", err)
	}
	if _, err := a.CheckDigest(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("no credentials: got %v, want ErrNoCredentials", err)
	}
	nonce := challenge(t, a, ErrNoCredentials)["nonce"]
	r := httptest.NewRequest("GET", "/onvif/snapshot.jpg", nil)
	(&digestClient{user: "cam", password: "cam password", qop: true}).authorize(r, nonce, "/onvif/snapshot.jpg")
	if u, err := a.CheckDigest(r); err != nil || u.Name != "cam" || u.Via != "digest" {
		t.Errorf("Digest: got %+v, %v; want cam via digest", u, err)
	}
	if ch := a.DigestChallenge(true); !strings.HasPrefix(ch, `Digest realm="freecam"`) || !strings.HasSuffix(ch, "stale=true") {
		t.Errorf("got challenge %q, want a stale Digest challenge", ch)
	}
	if r, ok := a.Role("cam"); !ok || r != Viewer {
		t.Errorf("Role(cam): got %q, %v", r, ok)
	}
}
