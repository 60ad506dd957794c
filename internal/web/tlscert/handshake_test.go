package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// serve starts an HTTPS server over loopback using only the Manager's tls.Config. (Not
// httptest's StartTLS: it adds its own certificate to tls.Config.Certificates, and crypto/tls
// then calls GetCertificate only for handshakes that carry SNI.)
func serve(t *testing.T, m *Manager) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "freecam ok\n")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are part of the tests
	srv.Listener = tls.NewListener(srv.Listener, m.TLSConfig())
	srv.Start()
	srv.URL = "https://" + srv.Listener.Addr().String()
	t.Cleanup(srv.Close)
	return srv
}

func TestHandshakeGoClient(t *testing.T) {
	f := newFixture(t)
	srv := serve(t, f.m)
	addr := srv.Listener.Addr().String()

	// Trusting exactly this self-signed leaf, the names in its SANs verify.
	roots := x509.NewCertPool()
	roots.AddCert(f.m.Certificate().Leaf)
	for _, name := range []string{"localhost", "127.0.0.1", "dafang"} {
		t.Run(name, func(t *testing.T) {
			conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: name})
			if err != nil {
				t.Fatalf("handshake verifying %s: %v", name, err)
			}
			defer conn.Close()
			if got := Fingerprint(conn.ConnectionState().PeerCertificates[0]); got != f.m.Fingerprint() {
				t.Errorf("peer fingerprint got %s, want %s", got, f.m.Fingerprint())
			}
		})
	}
	// A name not in the SANs is refused: verification really happens.
	if conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "other.example"}); err == nil {
		conn.Close()
		t.Error("handshake for other.example: got nil error, want a name mismatch")
	}

	// HTTP over it, the way Home Assistant with verify_ssl: false connects.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "freecam ok\n" || resp.ProtoMajor != 2 {
		t.Errorf("got %q over HTTP/%d, want \"freecam ok\" over HTTP/2", body, resp.ProtoMajor)
	}
}

func TestHandshakeServesUserPairAfterChange(t *testing.T) {
	f := newFixture(t)
	srv := serve(t, f.m)
	user := writeUserPair(t, f.path(UserCertFile), f.path(UserKeyFile))
	f.clk.Add(DefaultCheckInterval)
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := Fingerprint(conn.ConnectionState().PeerCertificates[0]); got != user {
		t.Errorf("peer fingerprint got %s, want the user's %s", got, user)
	}
}

func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	f := newFixture(t)
	srv := serve(t, f.m)
	url := "https://" + srv.Listener.Addr().String() + "/"

	out, err := exec.Command(curl, "-sS", "-k", "--max-time", "5", url).CombinedOutput()
	if err != nil || string(out) != "freecam ok\n" {
		t.Errorf("curl -k %s: got %q, %v; want \"freecam ok\"", url, out, err)
	}
	// Without -k curl must refuse the self-signed certificate.
	if out, err := exec.Command(curl, "-sS", "--max-time", "5", url).CombinedOutput(); err == nil {
		t.Errorf("curl without -k: got %q and success, want a verification failure", out)
	}
	// With the file as its trust anchor curl verifies the self-signed non-CA leaf: users can pin
	// it with --cacert instead of -k.
	for _, u := range []string{url, strings.Replace(url, "127.0.0.1", "localhost", 1)} {
		out, err = exec.Command(curl, "-sS", "--max-time", "5", "--cacert", f.path(SelfCertFile), u).CombinedOutput()
		if err != nil || string(out) != "freecam ok\n" {
			t.Errorf("curl --cacert freecam.crt %s: got %q, %v; want \"freecam ok\"", u, out, err)
		}
	}
}

func TestOpenSSLClient(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	f := newFixture(t)
	srv := serve(t, f.m)
	cmd := exec.Command(openssl, "s_client", "-connect", srv.Listener.Addr().String(), "-servername", "localhost")
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl s_client: %v\n%s", err, out)
	}
	fp := exec.Command(openssl, "x509", "-noout", "-fingerprint", "-sha256")
	fp.Stdin = strings.NewReader(string(out)) // x509 reads the first PEM block: the server's leaf
	fpOut, err := fp.Output()
	if err != nil {
		t.Fatalf("openssl x509: %v", err)
	}
	got := strings.TrimSpace(string(fpOut))
	if i := strings.Index(got, "="); i >= 0 {
		got = got[i+1:]
	}
	if got != f.m.Fingerprint() {
		t.Errorf("openssl sees fingerprint %s, want %s", got, f.m.Fingerprint())
	}
	if !strings.Contains(string(out), "TLSv1.3") {
		t.Errorf("openssl s_client output lacks TLSv1.3:\n%s", out)
	}
	// The generated file itself is readable by openssl, with the SANs it should have.
	text, err := exec.Command(openssl, "x509", "-noout", "-text", "-in", f.path(SelfCertFile)).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "CA:FALSE", "TLS Web Server Authentication", "prime256v1"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("openssl x509 -text lacks %q", want)
		}
	}
	if _, err := os.Stat(f.path(SelfKeyFile)); err != nil {
		t.Error(err)
	}
}
