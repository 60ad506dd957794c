package conf

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUpdateDist(t *testing.T) {
	dist, ok := Dist(UpdateFile)
	if !ok {
		t.Fatal("no built-in update.conf.dist")
	}
	got := Update{}
	errs, warns, _ := decodeFile(t, UpdateFile, string(dist), got.decode)
	if len(errs)+len(warns) > 0 {
		t.Errorf("got errors %q and warnings %q, want none", errs, warns)
	}
	// From an empty struct, so the dist itself must spell out every default.
	if got != DefaultUpdate() {
		t.Errorf("dist gives %+v, want the defaults %+v", got, DefaultUpdate())
	}
	if DefaultUpdate().Configured() {
		t.Error("the defaults are configured, want no update checks until a manifest URL is set")
	}
}

func TestUpdateDecode(t *testing.T) {
	const key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	tests := []struct {
		name    string
		src     string
		want    func(*Update)
		wantErr string
	}{
		{"all set", "UPDATE_MANIFEST_URL=https://example.com/freecam/manifest.json\nUPDATE_PUBLIC_KEY=" + key + "\nUPDATE_CHECK_HOURS=6\nUPDATE_AUTO=on\n",
			func(c *Update) {
				c.ManifestURL, c.PublicKey, c.CheckInterval, c.Auto = "https://example.com/freecam/manifest.json", key, 6*time.Hour, true
			}, ""},
		{"two keys", "UPDATE_PUBLIC_KEY='" + key + ", " + key + "'\n", func(c *Update) { c.PublicKey = key + ", " + key }, ""},
		{"by hand only", "UPDATE_CHECK_HOURS=0\n", func(c *Update) { c.CheckInterval = 0 }, ""},
		{"empty is default", "UPDATE_MANIFEST_URL=\nUPDATE_CHECK_HOURS=\n", func(*Update) {}, ""},
		{"plain http", "UPDATE_MANIFEST_URL=http://example.com/m.json\n", func(*Update) {}, "update.conf:1: UPDATE_MANIFEST_URL: must use https"},
		{"not a URL", "UPDATE_MANIFEST_URL=manifest.json\n", func(*Update) {}, "update.conf:1: UPDATE_MANIFEST_URL: must be an https:// URL"},
		{"short key", "\nUPDATE_PUBLIC_KEY=AAAA\n", func(*Update) {}, `update.conf:2: UPDATE_PUBLIC_KEY: the key decodes to 3 bytes: want the 32-byte ed25519 public key of the .pub file of freecam release keygen`},
		{"negative hours", "UPDATE_CHECK_HOURS=-1\n", func(*Update) {}, "update.conf:1: UPDATE_CHECK_HOURS: must be between 0 and 8760 hours"},
		{"auto maybe", "UPDATE_AUTO=maybe\n", func(*Update) {}, "update.conf:1: UPDATE_AUTO: must be true or false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := DefaultUpdate(), DefaultUpdate()
			tc.want(&want)
			errs, warns, _ := decodeFile(t, UpdateFile, tc.src, got.decode)
			joined := strings.Join(errs, "\n")
			if tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) {
				t.Fatalf("got errors %q, want %q", joined, tc.wantErr)
			}
			if len(warns) > 0 {
				t.Errorf("got warnings %q, want none", warns)
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestUpdatePublicKeyErrorsNeverShowTheValue(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private := base64.StdEncoding.EncodeToString(priv)
	const pub = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	tests := []struct{ name, value, want string }{
		{"a private key", private, "update.conf:1: UPDATE_PUBLIC_KEY: the key is a release PRIVATE key (64 bytes), not the public key: put the .pub file's key here instead, remove this one from the camera, and treat it as leaked"},
		{"a private key second", pub + "," + private, "UPDATE_PUBLIC_KEY: key 2 of 2 is a release PRIVATE key"},
		{"not base64", private[:50] + "%%", "UPDATE_PUBLIC_KEY: the key is not standard base64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultUpdate()
			errs, _, _ := decodeFile(t, UpdateFile, "UPDATE_PUBLIC_KEY='"+tc.value+"'\n", got.decode)
			joined := strings.Join(errs, "\n")
			if !strings.Contains(joined, tc.want) {
				t.Fatalf("got errors %q, want %q", joined, tc.want)
			}
			for i := 0; i+8 <= len(private); i++ {
				if strings.Contains(joined, private[i:i+8]) {
					t.Fatalf("got errors %q, which show part of the private key", joined)
				}
			}
			if got.PublicKey != "" {
				t.Errorf("got PublicKey %q, want it left empty", got.PublicKey)
			}
		})
	}
}

// testCA writes a self-signed CA certificate as PEM and returns its path.
func testCA(t *testing.T) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUpdateCAFile(t *testing.T) {
	ca := testCA(t)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name, value, wantErr string
		want                 string
	}{
		{"a CA", ca, "", ca},
		{"relative", "ca.pem", `update.conf:2: UPDATE_CA_FILE: must be an absolute path to a PEM file of CA certificates (got "ca.pem")`, ""},
		{"missing", missing, "update.conf:2: UPDATE_CA_FILE: cannot read the CA file: open " + missing, ""},
		{"no certificate", junk, "update.conf:2: UPDATE_CA_FILE: " + junk + " holds no PEM certificate", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultUpdate()
			errs, warns, _ := decodeFile(t, UpdateFile, "UPDATE_CHECK_HOURS=24\nUPDATE_CA_FILE="+tc.value+"\n", got.decode)
			joined := strings.Join(errs, "\n")
			if tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) {
				t.Fatalf("got errors %q, want %q", joined, tc.wantErr)
			}
			if len(warns) > 0 {
				t.Errorf("got warnings %q, want none", warns)
			}
			if got.CAFile != tc.want {
				t.Errorf("got CAFile %q, want %q", got.CAFile, tc.want)
			}
		})
	}
}

func TestLoadUpdate(t *testing.T) {
	dir := t.TempDir()
	if got, err := LoadUpdate(dir); err != nil || got != DefaultUpdate() {
		t.Errorf("no update.conf: got %+v, %v; want the defaults", got, err)
	}
	// Another file's error is not update.conf's.
	os.WriteFile(filepath.Join(dir, RTSPServerFile), []byte("BITRATE=fast\n"), 0o644)
	ca := testCA(t)
	os.WriteFile(filepath.Join(dir, UpdateFile), []byte("UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_CA_FILE="+ca+"\n"), 0o644)
	got, err := LoadUpdate(dir)
	if err != nil || got.ManifestURL != "https://example.com/m.json" || got.CAFile != ca {
		t.Errorf("got %+v, %v; want the manifest URL and the CA file", got, err)
	}
	os.WriteFile(filepath.Join(dir, UpdateFile), []byte("UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_PUBLIC_KEY=AAAA\n"), 0o644)
	if _, err := LoadUpdate(dir); err == nil || !strings.Contains(err.Error(), "update.conf:2: UPDATE_PUBLIC_KEY") {
		t.Errorf("a bad key: got %v, want update.conf:2's error", err)
	}
}
