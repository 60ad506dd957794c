// Package servertest starts real file servers for the delivery targets' tests: Debian's vsftpd
// (FTP) and smbd (SMB) in the foreground on free loopback ports, with generated configs in temp
// dirs and a temporary local user that exists only for the test. Only tests import it; it never
// touches a system server, port 21 or port 445. It needs root (to create the user and to let the
// servers switch to it) and skips the test otherwise.
package servertest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// needRoot skips the test unless it runs as root with the named programs installed.
func needRoot(t testing.TB, what string, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s is not installed (%s; Debian: apt-get install vsftpd samba smbclient)", what, p)
		}
	}
	if os.Geteuid() != 0 {
		t.Skipf("%s test needs root (it creates a temporary local user)", what)
	}
}

// User is a temporary local Unix account with a home directory of its own.
type User struct {
	Name string
	Home string // owned by the user, mode 0755
	UID  int
	GID  int
}

// newUser creates a local user named prefix (default "cam") plus random hex, with the password, whose
// home is a fresh directory under the system temp dir (world-traversable, unlike t.TempDir, so
// servers that switch to the user can reach it). The test's cleanup deletes user and home.
func newUser(t testing.TB, prefix, pass string) *User {
	t.Helper()
	if prefix == "" {
		prefix = "cam"
	}
	if len(prefix) > 16 {
		prefix = prefix[:16]
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	name := strings.ToLower(prefix) + hex.EncodeToString(b[:])
	home, err := os.MkdirTemp("", "freecam-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	// useradd and userdel lock /etc/passwd; a parallel test package may hold the lock briefly.
	if out, err := retry("useradd", "--home-dir", home, "--no-create-home", "--shell", "/bin/sh", "--user-group", name); err != nil {
		t.Fatalf("servertest: useradd %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := retry("userdel", name); err != nil {
			t.Logf("servertest: userdel %s: %v: %s", name, err, out)
		}
	})
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("servertest: chpasswd %s: %v: %s", name, err, out)
	}
	u := &User{Name: name, Home: home}
	if _, err := fmt.Sscan(strings.TrimSpace(run(t, "id", "-u", name)), &u.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(strings.TrimSpace(run(t, "id", "-g", name)), &u.GID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	return u
}

// retry runs a command up to 20 times while it fails, 50 ms apart (a lock held by another
// process, not a goroutine of ours).
func retry(name string, args ...string) ([]byte, error) {
	var out []byte
	var err error
	for range 20 {
		out, err = exec.Command(name, args...).CombinedOutput()
		if err == nil {
			return out, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return out, err
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("servertest: %s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
