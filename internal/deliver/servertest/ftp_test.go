package servertest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// TestFTPServer checks the server itself: the user logs in, a stored file lands under Root, a
// wrong password is refused, and the server stops and restarts on its port.
func TestFTPServer(t *testing.T) {
	s := StartFTP(t, "cam", "s3cret")
	put := func() error {
		c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second))
		if err != nil {
			return err
		}
		defer c.Quit()
		if err := c.Login(s.User, s.Pass); err != nil {
			return err
		}
		return c.Stor("hello.txt", bytes.NewReader([]byte("hi")))
	}
	if err := put(); err != nil {
		t.Fatalf("stor: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(s.Root(), "hello.txt"))
	if err != nil || string(got) != "hi" {
		t.Fatalf("got %q, %v; want \"hi\"", got, err)
	}
	c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(s.User, "wrong"); err == nil {
		t.Error("login with a wrong password: got nil error, want a refusal")
	}
	c.Quit()
	s.Stop()
	if err := put(); err == nil {
		t.Error("stor to a stopped server: got nil error, want one")
	}
	s.Restart()
	if err := put(); err != nil {
		t.Fatalf("stor after restart: %v", err)
	}
}
