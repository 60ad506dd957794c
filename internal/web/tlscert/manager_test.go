package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is an injectable, settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// addrList is a settable address source.
type addrList struct {
	mu  sync.Mutex
	ips []net.IP
}

func (a *addrList) Addrs() ([]net.IP, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.ips), nil
}
func (a *addrList) Set(ips ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ips = nil
	for _, s := range ips {
		a.ips = append(a.ips, net.ParseIP(s))
	}
}

type fixture struct {
	dir   string
	clk   *clock
	addrs *addrList
	m     *Manager
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), clk: &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}, addrs: &addrList{}}
	f.addrs.Set("127.0.0.1", "::1", "192.168.1.50")
	f.m = f.open(t)
	return f
}

func (f *fixture) open(t *testing.T) *Manager {
	t.Helper()
	m, err := New(Options{Dir: f.dir, Hostname: "dafang", ExtraNames: []string{"cam.example.org", "10.9.8.7"},
		Now: f.clk.Now, Addrs: f.addrs.Addrs})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, SubDir, name) }

func fileLeaf(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

func TestGenerateFirstStart(t *testing.T) {
	f := newFixture(t)
	pair, err := tls.LoadX509KeyPair(f.path(SelfCertFile), f.path(SelfKeyFile))
	if err != nil {
		t.Fatalf("crypto/tls cannot load the generated pair: %v", err)
	}
	leaf := pair.Leaf
	for _, want := range []string{"localhost", "dafang", "dafang.local", "cam.example.org"} {
		if !slices.Contains(leaf.DNSNames, want) {
			t.Errorf("DNS SANs %v: missing %q", leaf.DNSNames, want)
		}
	}
	for _, want := range []string{"127.0.0.1", "::1", "192.168.1.50", "10.9.8.7"} {
		if !containsIP(leaf.IPAddresses, net.ParseIP(want)) {
			t.Errorf("IP SANs %v: missing %s", leaf.IPAddresses, want)
		}
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("VerifyHostname(127.0.0.1): %v", err)
	}
	if leaf.IsCA || !leaf.BasicConstraintsValid {
		t.Errorf("IsCA=%v BasicConstraintsValid=%v, want a non-CA leaf", leaf.IsCA, leaf.BasicConstraintsValid)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("KeyUsage got %v, want digital signature", leaf.KeyUsage)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("ExtKeyUsage got %v, want server auth", leaf.ExtKeyUsage)
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key got %T, want ECDSA P-256", leaf.PublicKey)
	}
	if leaf.SerialNumber.BitLen() < 100 {
		t.Errorf("serial has %d bits, want a random 128-bit one", leaf.SerialNumber.BitLen())
	}
	if got, want := leaf.NotAfter, f.clk.Now().Add(DefaultValidity); !got.Equal(want) {
		t.Errorf("NotAfter got %v, want %v", got, want)
	}
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	fi, err := os.Stat(f.path(SelfKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key mode got %o, want 600", got)
	}
	entries, _ := os.ReadDir(filepath.Join(f.dir, SubDir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{SelfCertFile, SelfKeyFile}; !slices.Equal(names, want) {
		t.Errorf("tls dir holds %v, want %v (no temp files)", names, want)
	}
	sum := sha256.Sum256(leaf.Raw)
	if got, want := f.m.Fingerprint(), strings.ToUpper(fmt.Sprintf("%x", sum[:2])); !strings.HasPrefix(strings.ReplaceAll(got, ":", ""), want) || len(got) != 95 {
		t.Errorf("Fingerprint got %q, want SHA-256 of the file's leaf (starting %s, 95 chars)", got, want)
	}
	if f.m.Source() != SelfSigned || f.m.UserError() != nil {
		t.Errorf("Source %v, UserError %v; want self-signed, nil", f.m.Source(), f.m.UserError())
	}

	// A second start reuses the stored certificate.
	m2 := f.open(t)
	if m2.Fingerprint() != f.m.Fingerprint() {
		t.Errorf("restart: fingerprint got %s, want the stored %s", m2.Fingerprint(), f.m.Fingerprint())
	}
}

func TestDefaultHostnameAndAddrs(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no hostname")
	}
	m, err := New(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	leaf := m.Certificate().Leaf
	if !slices.Contains(leaf.DNSNames, strings.ToLower(host)) {
		t.Errorf("DNS SANs %v: missing os.Hostname() %q", leaf.DNSNames, host)
	}
	addrs, err := LocalAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range addrs {
		if !containsIP(leaf.IPAddresses, ip) {
			t.Errorf("IP SANs %v: missing local address %s", leaf.IPAddresses, ip)
		}
	}
	for _, want := range []string{"127.0.0.1", "::1"} {
		if !containsIP(leaf.IPAddresses, net.ParseIP(want)) {
			t.Errorf("IP SANs %v: missing %s", leaf.IPAddresses, want)
		}
	}
}

func TestRenewal(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		renewed bool
	}{
		{"fresh", time.Hour, false},
		{"31 days left", DefaultValidity - 31*24*time.Hour, false},
		{"29 days left", DefaultValidity - 29*24*time.Hour, true},
		{"expired", DefaultValidity + 24*time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.m.Fingerprint()
			f.clk.Add(tc.advance)
			f.m.GetCertificate(nil) // the check is due: CheckInterval has passed
			got := f.m.Fingerprint()
			if renewed := got != before; renewed != tc.renewed {
				t.Fatalf("renewed got %v, want %v", renewed, tc.renewed)
			}
			onDisk := Fingerprint(fileLeaf(t, f.path(SelfCertFile)))
			if onDisk != got {
				t.Errorf("file fingerprint %s, served %s; want the same", onDisk, got)
			}
			if tc.renewed {
				if want := f.clk.Now().Add(DefaultValidity); !f.m.Certificate().Leaf.NotAfter.Equal(want) {
					t.Errorf("NotAfter got %v, want %v", f.m.Certificate().Leaf.NotAfter, want)
				}
			}
		})
	}
}

func TestCheckedAtMostOncePerInterval(t *testing.T) {
	f := newFixture(t)
	before := f.m.Fingerprint()
	f.addrs.Set("127.0.0.1", "::1", "192.168.1.50", "192.168.7.9")
	f.clk.Add(DefaultCheckInterval - time.Second)
	f.m.GetCertificate(nil)
	if got := f.m.Fingerprint(); got != before {
		t.Fatalf("regenerated before CheckInterval elapsed")
	}
	f.clk.Add(2 * time.Second)
	c, _ := f.m.GetCertificate(nil)
	if f.m.Fingerprint() == before {
		t.Fatalf("new address 192.168.7.9: certificate not regenerated after CheckInterval")
	}
	if !containsIP(c.Leaf.IPAddresses, net.ParseIP("192.168.7.9")) {
		t.Errorf("IP SANs %v: missing the new address", c.Leaf.IPAddresses)
	}
	// An address going away does not force a new certificate (its SAN is harmless).
	after := f.m.Fingerprint()
	f.addrs.Set("127.0.0.1", "::1")
	f.clk.Add(2 * DefaultCheckInterval)
	f.m.GetCertificate(nil)
	if f.m.Fingerprint() != after {
		t.Errorf("regenerated although no address was added")
	}
}

// writeUserPair writes a certificate made from a fresh key and returns its fingerprint.
func writeUserPair(t *testing.T, certPath, keyPath string) string {
	t.Helper()
	certPEM, keyPEM, err := generate(names{dns: []string{"cam.user.example"}}, "", time.Now(), 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if certPath != "" {
		if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if keyPath != "" {
		if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := pem.Decode(certPEM)
	c, _ := x509.ParseCertificate(b.Bytes)
	return Fingerprint(c)
}

func TestUserPair(t *testing.T) {
	f := newFixture(t)
	self := f.m.Fingerprint()
	userCrt, userKey := f.path(UserCertFile), f.path(UserKeyFile)

	user := writeUserPair(t, userCrt, userKey)
	if err := f.m.Refresh(); err != nil {
		t.Fatal(err)
	}
	if f.m.Source() != User || f.m.Fingerprint() != user || f.m.UserError() != nil {
		t.Fatalf("valid user pair: source %v fingerprint %s err %v; want user %s nil", f.m.Source(), f.m.Fingerprint(), f.m.UserError(), user)
	}

	bad := []struct {
		name    string
		setup   func(t *testing.T)
		mention string
	}{
		{"mismatched key", func(t *testing.T) { writeUserPair(t, "", userKey) }, "user.key does not match"},
		{"garbage cert", func(t *testing.T) { os.WriteFile(userCrt, []byte("not a certificate\n"), 0o644) }, "user.crt: no PEM CERTIFICATE"},
		{"garbage key", func(t *testing.T) { os.WriteFile(userKey, []byte("-----BEGIN NOTHING-----\n"), 0o600) }, "user.key: no PEM PRIVATE KEY"},
		{"key missing", func(t *testing.T) { os.Remove(userKey) }, "user.key is missing"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			writeUserPair(t, userCrt, userKey)
			tc.setup(t)
			f.clk.Add(DefaultCheckInterval)
			c, err := f.m.GetCertificate(nil)
			if err != nil || c == nil {
				t.Fatalf("GetCertificate got %v, %v; want a certificate", c, err)
			}
			if f.m.Source() != SelfSigned || f.m.Fingerprint() != self {
				t.Errorf("source %v fingerprint %s; want the self-signed %s", f.m.Source(), f.m.Fingerprint(), self)
			}
			if err := f.m.UserError(); err == nil || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("UserError got %v, want one mentioning %q", err, tc.mention)
			}
		})
	}

	// Fixing the pair is picked up without a restart.
	user = writeUserPair(t, userCrt, userKey)
	f.clk.Add(DefaultCheckInterval)
	f.m.GetCertificate(nil)
	if f.m.Source() != User || f.m.Fingerprint() != user || f.m.UserError() != nil {
		t.Errorf("fixed user pair: source %v err %v; want user, nil", f.m.Source(), f.m.UserError())
	}
	// Removing it goes back to the self-signed one.
	os.Remove(userCrt)
	os.Remove(userKey)
	f.clk.Add(DefaultCheckInterval)
	f.m.GetCertificate(nil)
	if f.m.Source() != SelfSigned || f.m.Fingerprint() != self || f.m.UserError() != nil {
		t.Errorf("removed user pair: source %v err %v; want self-signed %s, nil", f.m.Source(), f.m.UserError(), self)
	}
}

func TestUserPairAtStart(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, SubDir), 0o700)
	user := writeUserPair(t, filepath.Join(dir, SubDir, UserCertFile), filepath.Join(dir, SubDir, UserKeyFile))
	m, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if m.Source() != User || m.Fingerprint() != user {
		t.Errorf("source %v fingerprint %s, want user %s", m.Source(), m.Fingerprint(), user)
	}
}

func TestCorruptedSelfSignedRegenerated(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		write func(old []byte) []byte
	}{
		{"garbage cert", SelfCertFile, func([]byte) []byte { return []byte("garbage") }},
		{"empty key", SelfKeyFile, func([]byte) []byte { return nil }},
		{"truncated cert", SelfCertFile, func(old []byte) []byte { return old[:len(old)/2] }},
		{"key of another pair", SelfKeyFile, func([]byte) []byte {
			_, k, _ := generate(names{dns: []string{"x"}}, "", time.Now(), time.Hour)
			return k
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, restart := range []bool{false, true} {
				f := newFixture(t)
				before := f.m.Fingerprint()
				p := f.path(tc.file)
				old, _ := os.ReadFile(p)
				if err := os.WriteFile(p, tc.write(old), 0o600); err != nil {
					t.Fatal(err)
				}
				m := f.m
				if restart {
					m = f.open(t)
				} else if err := m.Refresh(); err != nil {
					t.Fatal(err)
				}
				if m.Fingerprint() == before {
					t.Fatalf("restart=%v: fingerprint unchanged, want a regenerated certificate", restart)
				}
				if _, err := tls.LoadX509KeyPair(f.path(SelfCertFile), f.path(SelfKeyFile)); err != nil {
					t.Errorf("restart=%v: regenerated files do not load: %v", restart, err)
				}
			}
		})
	}
}

func TestUnusableNamesSkipped(t *testing.T) {
	m, err := New(Options{Dir: t.TempDir(), Hostname: "Kamera Küche", ExtraNames: []string{"ok.example", "bad name", "", "[fd00::7]"}})
	if err != nil {
		t.Fatalf("New with odd names: %v", err)
	}
	leaf := m.Certificate().Leaf
	if want := []string{"localhost", "ok.example"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS SANs got %v, want %v", leaf.DNSNames, want)
	}
	if !containsIP(leaf.IPAddresses, net.ParseIP("fd00::7")) {
		t.Errorf("IP SANs %v: missing fd00::7 given as [fd00::7]", leaf.IPAddresses)
	}
	// The skipped names must not count as missing, or every check would regenerate.
	before := m.Fingerprint()
	if err := m.Refresh(); err != nil || m.Fingerprint() != before {
		t.Errorf("Refresh: err %v, regenerated %v; want nil, false", err, m.Fingerprint() != before)
	}
}

func TestNoDir(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without Dir: got nil error, want one")
	}
}

func TestUnwritableDirStillServes(t *testing.T) {
	dir := t.TempDir()
	// A file where the tls directory should be: nothing can be written, even as root.
	if err := os.WriteFile(filepath.Join(dir, SubDir), []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatalf("New: got %v, want a manager serving from memory", err)
	}
	if c, _ := m.GetCertificate(nil); c == nil || c.Leaf == nil {
		t.Fatal("no certificate served from memory")
	}
	before := m.Fingerprint()
	if err := m.Refresh(); err != nil || m.Fingerprint() != before {
		t.Errorf("second check: err %v, regenerated %v; want nil, false (keep the in-memory one)", err, m.Fingerprint() != before)
	}
}

func TestConcurrentGetCertificate(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				c, err := f.m.GetCertificate(nil)
				if err != nil || c == nil || c.Leaf == nil {
					errs <- fmt.Errorf("goroutine %d: got %v, %v", g, c, err)
					return
				}
				_ = f.m.Fingerprint()
				if g == 0 && i%20 == 0 {
					f.clk.Add(DefaultCheckInterval)
					f.addrs.Set("127.0.0.1", "::1", fmt.Sprintf("10.0.%d.%d", i, g+1))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := f.m.Refresh(); err != nil {
		t.Fatal(err)
	}
	if ips := f.m.Certificate().Leaf.IPAddresses; !containsIP(ips, net.ParseIP("10.0.180.1")) {
		t.Errorf("IP SANs %v: missing the last address added, 10.0.180.1", ips)
	}
}

func BenchmarkGetCertificate(b *testing.B) {
	m, err := New(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.GetCertificate(nil)
		}
	})
}

func TestClockJumpBackStillChecks(t *testing.T) {
	f := newFixture(t)
	f.clk.Add(-24 * time.Hour) // e.g. NTP corrects a clock that ran ahead
	user := writeUserPair(t, f.path(UserCertFile), f.path(UserKeyFile))
	f.m.GetCertificate(nil)
	if f.m.Fingerprint() != user {
		t.Errorf("after the clock went back a day, fingerprint got %s, want the new user pair %s", f.m.Fingerprint(), user)
	}
}

// The mDNS name can change while freecam runs (a new hostname.conf, a conflict's name-2): the
// next check makes a certificate that covers it.
func TestNamesThatChange(t *testing.T) {
	var mu sync.Mutex
	names := []string{"garage", "garage.local"}
	clk := &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	addrs := &addrList{}
	addrs.Set("127.0.0.1")
	dir := t.TempDir()
	m, err := New(Options{Dir: dir, Hostname: "vm", Now: clk.Now, Addrs: addrs.Addrs,
		Names: func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(names) }})
	if err != nil {
		t.Fatal(err)
	}
	leaf := fileLeaf(t, filepath.Join(dir, SubDir, SelfCertFile))
	if !slices.Contains(leaf.DNSNames, "garage.local") {
		t.Fatalf("got DNS SANs %v, want garage.local", leaf.DNSNames)
	}
	mu.Lock()
	names = []string{"porch", "porch.local"}
	mu.Unlock()
	if err := m.refresh(clk.Now()); err != nil {
		t.Fatal(err)
	}
	leaf = fileLeaf(t, filepath.Join(dir, SubDir, SelfCertFile))
	if !slices.Contains(leaf.DNSNames, "porch.local") || !slices.Contains(leaf.DNSNames, "vm") {
		t.Errorf("got DNS SANs %v after the name changed, want porch.local (and vm still)", leaf.DNSNames)
	}
}
