package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/web/auth"
)

// pipeStdin returns a file reading text, like a shell pipe into freecam passwd.
func pipeStdin(t *testing.T, text string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.WriteString(text); w.Close() }()
	t.Cleanup(func() { r.Close() })
	return r
}

func passwd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = passwdCmd(args, pipeStdin(t, stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPasswd(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := passwd(t, "first admin pw\nsecond line ignored\n", "--config", dir)
	if code != 0 || !strings.Contains(out, "created the account admin (admin)") {
		t.Fatalf("got %d, %q, %q; want the admin account created", code, out, errs)
	}
	if strings.Contains(out+errs, "first admin pw") {
		t.Errorf("got the password printed: %q", out+errs)
	}
	fi, err := os.Stat(filepath.Join(dir, auth.UsersFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("got %v, %v; want the users file with mode 0600", fi, err)
	}

	// A new user after its name, flags after it too; a viewer unless --role.
	if code, out, errs := passwd(t, "camera viewer\n", "--config", dir, "ha", "--digest"); code != 0 || !strings.Contains(out, "created the account ha (viewer, HTTP Digest and ONVIF allowed)") {
		t.Errorf("got %d, %q, %q; want ha created as a viewer with digest", code, out, errs)
	}
	// Promote admin explicitly, then change ha's password keeping its role.
	if code, _, errs := passwd(t, "first admin pw\r\n", "--config", dir, "--role", "admin", "admin"); code != 0 {
		t.Errorf("got %d, %q; want 0", code, errs)
	}
	if code, out, _ := passwd(t, "camera viewer 2", "--config", dir, "ha"); code != 0 || !strings.Contains(out, "changed the password of ha (viewer)") {
		t.Errorf("got %d, %q; want ha's password changed, still a viewer", code, out)
	}

	a, err := auth.New(auth.Options{ConfigDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		user, password string
		role           auth.Role
	}{
		"admin (CRLF line)": {"admin", "first admin pw", auth.Admin},
		"ha (no newline)":   {"ha", "camera viewer 2", auth.Viewer},
	} {
		t.Run(name, func(t *testing.T) {
			u, err := a.Verify(c.user, c.password, "127.0.0.1")
			if err != nil || u.Role != c.role {
				t.Errorf("got %+v, %v; want %s verified as %s", u, err, c.user, c.role)
			}
		})
	}
	if got := a.Users(); len(got) != 2 || got[1].Digest {
		t.Errorf("got %+v, want ha without digest after a change without --digest", got)
	}
}

func TestPasswdErrors(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := passwd(t, "admin password\n", "--config", dir); code != 0 {
		t.Fatalf("got %d, %q", code, errs)
	}
	for name, c := range map[string]struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		"short password": {"short\n", []string{"bob"}, 1, "too short"},
		"unknown role":   {"long enough\n", []string{"--role", "root", "bob"}, 2, `unknown role "root"`},
		"last admin":     {"", []string{"--delete", "admin"}, 1, "last admin"},
		"no input":       {"", []string{"bob"}, 1, "no input"},
		"two users":      {"long enough\n", []string{"bob", "carol"}, 2, "one user at a time"},
		"delete unknown": {"", []string{"--delete", "nobody"}, 1, "no such user"},
		"bad name":       {"long enough\n", []string{"bob smith"}, 1, "bad user name"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := passwd(t, c.stdin, append([]string{"--config", dir}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.want) {
				t.Errorf("got %d, %q, %q; want %d and %q", code, out, errs, c.code, c.want)
			}
		})
	}
	if code, out, _ := passwd(t, "viewer password\n", "--config", dir, "bob"); code != 0 {
		t.Fatalf("got %d, %q", code, out)
	}
	if code, out, errs := passwd(t, "", "--config", dir, "--delete", "bob"); code != 0 || !strings.Contains(out, "deleted the account bob") {
		t.Errorf("got %d, %q, %q; want bob deleted", code, out, errs)
	}
}
