package auth

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUsersFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, UsersFile)
	os.WriteFile(path, []byte("# my cameras' accounts\n\n"), 0o644)
	a, _ := newTestAuth(t, dir)
	mustSet(t, a, "admin", Admin, "first password", false)
	mustSet(t, a, "ha.viewer", Viewer, "second password", true)

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	if !strings.HasPrefix(text, "# my cameras' accounts\n\n") {
		t.Errorf("got file %q, want the comment kept at the top", text)
	}
	if strings.Contains(text, "first password") || strings.Contains(text, "second password") {
		t.Fatalf("got a password in clear in the file:\n%s", text)
	}
	lines := map[string][]string{}
	for l := range strings.Lines(text) {
		l = strings.TrimSpace(l)
		if l != "" && l[0] != '#' {
			f := strings.Split(l, ":")
			lines[f[0]] = f
		}
	}
	if f := lines["admin"]; len(f) != 3 || f[1] != "admin" || !strings.HasPrefix(f[2], "$argon2id$") {
		t.Errorf("got admin line %q, want admin:admin:$argon2id$… and no HA1", f)
	}
	if f := lines["ha.viewer"]; len(f) != 5 || f[1] != "viewer" || f[3] != digestHA1("ha.viewer", "second password") || !validSealed(f[4]) {
		t.Errorf("got ha.viewer line %q, want name:viewer:hash:HA1:sealed", f)
	}

	b, _ := newTestAuth(t, dir)
	want := []Account{{"admin", Admin, false}, {"ha.viewer", Viewer, true}}
	if got := b.Users(); !equalAccounts(got, want) {
		t.Errorf("got %v from a fresh read, want %v", got, want)
	}
	if _, err := b.Verify("ha.viewer", "second password", "10.0.0.1"); err != nil {
		t.Errorf("got %v verifying from a fresh read, want nil", err)
	}

	// Without --digest, a password change drops the stored HA1.
	mustSet(t, b, "ha.viewer", Viewer, "third password", false)
	if got := b.Users()[1]; got.Digest {
		t.Errorf("got %+v, want Digest false after a change without digest", got)
	}
}

func equalAccounts(a, b []Account) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUsersFileBadLineNamesFileAndLine(t *testing.T) {
	good := "admin:admin:" + hashPassword(cheapParams, "password1")
	for name, bad := range map[string]string{
		"bad name":      "bad name:viewer:" + hashPassword(cheapParams, "x"),
		"unknown role":  "bob:owner:" + hashPassword(cheapParams, "x"),
		"plain hash":    "bob:viewer:secret",
		"bad HA1":       "bob:viewer:" + hashPassword(cheapParams, "x") + ":xyz",
		"too many":      "bob:viewer:" + hashPassword(cheapParams, "x") + ":00112233445566778899aabbccddeeff:x",
		"no hash":       "bob:viewer",
		"duplicate":     good,
		"long name":     strings.Repeat("b", 33) + ":viewer:" + hashPassword(cheapParams, "x"),
		"dollar in hmm": "bob:viewer:$argon2id$v=19$m=64,t=1,p=1$$",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, UsersFile), []byte("# accounts\n"+good+"\n"+bad+"\n"), 0o600)
			_, err := New(Options{ConfigDir: dir})
			want := filepath.Join(dir, UsersFile) + ":3: "
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got error %v, want one naming %q", err, want)
			}
		})
	}
}

func TestFileChangeIsPickedUpByARunningAuthenticator(t *testing.T) {
	dir := t.TempDir()
	running, clk := newTestAuth(t, dir)
	mustSet(t, running, "admin", Admin, "admin password", false)
	if _, err := running.Verify("admin", "admin password", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	tok := loginToken(t, running, "admin", "admin password")

	// Another process (freecam passwd) changes the file.
	other, _ := newTestAuth(t, dir)
	mustSet(t, other, "bob", Viewer, "bob password", false)
	mustSet(t, other, "admin", Admin, "new admin password", false)

	if got := running.Users(); len(got) != 1 {
		t.Errorf("got %d accounts within a second of the last check, want the file checked at most once a second", len(got))
	}
	clk.Add(1100 * time.Millisecond)
	if got := running.Users(); len(got) != 2 {
		t.Fatalf("got %v, want bob picked up after a second", got)
	}
	if _, err := running.Verify("bob", "bob password", "10.0.0.1"); err != nil {
		t.Errorf("got %v for the new account, want nil", err)
	}
	if _, err := running.Verify("admin", "admin password", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v for the old (cached) admin password, want ErrBadCredentials", err)
	}
	if _, err := running.Check(cookieRequest(tok)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v for the session from before the password change, want ErrNoCredentials", err)
	}

	// A file broken by hand is logged, and the accounts read before stay.
	os.WriteFile(filepath.Join(dir, UsersFile), []byte("garbage\n"), 0o600)
	clk.Add(2 * time.Second)
	if got := running.Users(); len(got) != 2 {
		t.Errorf("got %v after the file broke, want the 2 accounts read before", got)
	}
}

func TestUsersNeverShowsSecrets(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "hunter2hunter2", true)
	js, err := json.Marshal(a.Users())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "argon2", a.accounts["admin"].hash.saltString(), digestHA1("admin", "hunter2hunter2")} {
		if strings.Contains(string(js), secret) {
			t.Errorf("got %s, want no %q in it", js, secret)
		}
	}
	if want := `[{"name":"admin","role":"admin","digest":true}]`; string(js) != want {
		t.Errorf("got %s, want %s", js, want)
	}
}

func (h phcHash) saltString() string { return b64.EncodeToString(h.salt) }

func TestEnsureAdmin(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTestAuth(t, dir)
	pw, created, err := a.EnsureAdmin()
	if err != nil || !created {
		t.Fatalf("got created %v, err %v; want an admin created", created, err)
	}
	if len(pw) != 16 || strings.Trim(pw, passwordAlphabet) != "" {
		t.Errorf("got password of %d characters %q, want 16 from the unambiguous alphabet", len(pw), pw)
	}
	if u, err := a.Verify("admin", pw, "10.0.0.1"); err != nil || u.Role != Admin {
		t.Errorf("got %+v, %v; want the new admin to verify", u, err)
	}
	pw2, created, err := a.EnsureAdmin()
	if err != nil || created || pw2 != "" {
		t.Errorf("got %q, %v, %v from a second call, want nothing created", pw2, created, err)
	}
	if p2 := randomPassword(16); p2 == pw {
		t.Error("got the same random password twice")
	}
}

func TestAccountChangesAreChecked(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "viewer", Viewer, "viewer password", false)
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"short password":    {a.SetPassword("bob", Viewer, "short7!", false), "too short"},
		"control character": {a.SetPassword("bob", Viewer, "long enough\x1b[0m", false), "control character"},
		"bad name":          {a.SetPassword("bob smith", Viewer, "long enough", false), "bad user name"},
		"unknown role":      {a.SetPassword("bob", "root", "long enough", false), "unknown role"},
		"delete last admin": {a.DeleteUser("admin"), "last admin"},
		"demote last admin": {a.SetPassword("admin", Viewer, "long enough", false), "last admin"},
		"delete nobody":     {a.DeleteUser("nobody"), "no such user"},
	} {
		t.Run(name, func(t *testing.T) {
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", c.err, c.want)
			}
			if c.err != nil && strings.Contains(c.err.Error(), "long enough") {
				t.Errorf("got %v, want no password in the error", c.err)
			}
		})
	}
	if err := a.DeleteUser("viewer"); err != nil {
		t.Errorf("got %v deleting a viewer, want nil", err)
	}
	if got := a.Users(); len(got) != 1 || got[0].Name != "admin" {
		t.Errorf("got %v, want only admin left", got)
	}
}
