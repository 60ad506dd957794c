package mosquittotest

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"
)

func TestBrokerUsersTLSAndPersistenceAcrossRestart(t *testing.T) {
	b := Start(t, Options{Users: map[string]string{"ha": "secret"}, TLS: true, Persistence: true})

	pem, err := os.ReadFile(b.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("got no certificate in %s, want the CA", b.CAFile)
	}
	c, err := tls.Dial("tcp", b.TLSAddr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("got %v dialling the TLS listener with the CA, want a handshake", err)
	}
	c.Close()

	s := Subscribe(t, b, "ha", "secret", "cam/#")
	s.Publish("cam/state", []byte{0, 1, 2, 0xff}, true)
	got := s.Wait(t, Topic("cam/state", nil), 5*time.Second)
	if string(got.Payload) != "\x00\x01\x02\xff" {
		t.Errorf("got payload %q, want the binary bytes sent", got.Payload)
	}

	b.Restart()
	s2 := Subscribe(t, b, "ha", "secret", "cam/state")
	got = s2.Wait(t, Topic("cam/state", nil), 5*time.Second)
	if !got.Retained || string(got.Payload) != "\x00\x01\x02\xff" {
		t.Errorf("got %v after restart, want the retained message kept by persistence", got)
	}
}

func TestAnonymousBrokerWithoutPersistenceForgetsRetained(t *testing.T) {
	b := Start(t, Options{})
	s := Subscribe(t, b, "", "", "x")
	s.Publish("x", []byte("1"), true)
	s.Wait(t, Topic("x", []byte("1")), 5*time.Second)
	b.Restart()
	s2 := Subscribe(t, b, "", "", "x")
	if m, ok := s2.WaitOK(Topic("x", nil), 300*time.Millisecond); ok {
		t.Errorf("got %v after restart, want no retained message without persistence", m)
	}
}

func TestWrongPasswordIsRefused(t *testing.T) {
	b := Start(t, Options{Users: map[string]string{"ha": "secret"}})
	ft := &fakeT{TB: t}
	func() {
		defer func() { recover() }()
		Subscribe(ft, b, "ha", "wrong", "x")
	}()
	if !ft.failed {
		t.Errorf("got a subscriber connected with a wrong password, want a refused connection")
	}
}

// fakeT records a Fatal instead of ending the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	panic("fatal")
}
