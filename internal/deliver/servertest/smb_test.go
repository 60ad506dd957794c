package servertest

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudsoda/go-smb2"
)

// TestSMBServer checks the server itself: the user mounts [cam] and a written file lands under
// Dir, a wrong password is refused, and the server stops and starts again on its port.
func TestSMBServer(t *testing.T) {
	s := StartSMB(t, "cam", "s3cret")
	put := func(pass string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		d := &smb2.Dialer{Initiator: &smb2.NTLMInitiator{User: s.User, Password: pass}}
		sess, err := d.DialConn(ctx, conn, s.Addr)
		if err != nil {
			return err
		}
		defer sess.Logoff()
		fs, err := sess.Mount(s.Share)
		if err != nil {
			return err
		}
		defer fs.Umount()
		return fs.WriteFile("hello.txt", []byte("hi"), 0o644)
	}
	if err := put(s.Pass); err != nil {
		t.Fatalf("write: %v\n%s", err, s.proc.log())
	}
	got, err := os.ReadFile(filepath.Join(s.Dir(), "hello.txt"))
	if err != nil || string(got) != "hi" {
		t.Fatalf("got %q, %v; want \"hi\"", got, err)
	}
	if err := put("wrong"); err == nil {
		t.Error("login with a wrong password: got nil error, want a refusal")
	}
	s.Stop()
	if err := put(s.Pass); err == nil {
		t.Error("write to a stopped server: got nil error, want one")
	}
	s.Start()
	if err := put(s.Pass); err != nil {
		t.Fatalf("write after restart: %v", err)
	}
}
