package update

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// leaks reports whether msg contains any 8-character piece of secret.
func leaks(msg, secret string) bool {
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(msg, secret[i:i+8]) {
			return true
		}
	}
	return false
}

func TestParsePublicKeysNeverEchoesTheValue(t *testing.T) {
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	priv, pub = strings.TrimSpace(priv), strings.TrimSpace(pub)
	tests := []struct {
		name, value, want string
		private           bool
	}{
		{"the private key", priv, "PRIVATE key", true},
		{"the private key after a good one", pub + "," + priv, "key 2 of 2: this is a release PRIVATE key", true},
		{"not base64", priv[:40] + "!!", "not standard base64", false},
		{"too short", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef")), "decodes to 16 bytes", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePublicKeys(tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if got := errors.Is(err, ErrPrivateKeyGiven); got != tt.private {
				t.Errorf("got errors.Is(ErrPrivateKeyGiven) %v, want %v", got, tt.private)
			}
			if leaks(err.Error(), strings.TrimSuffix(tt.value, "!!")) {
				t.Errorf("the error %q contains part of the value", err)
			}
		})
	}
	if _, err := ParsePublicKeys(pub); err != nil {
		t.Errorf("the public key: got %v, want it accepted", err)
	}
}

// TestCheckTrustsTheCAFile runs a check against a local HTTPS server whose certificate only the
// CA file vouches for: refused with the system's roots alone, accepted with the file.
func TestCheckTrustsTheCAFile(t *testing.T) {
	f := newFixture(t)
	f.srv.putManifest(t, f.manifest)
	o := f.options()
	o.Client = nil
	if _, err := Check(context.Background(), o); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA file: got %v, want a certificate error", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	o.CAFile = ca
	rel, err := Check(context.Background(), o)
	if err != nil || rel.Version != "1.1.0" {
		t.Fatalf("with the CA file: got %+v, %v; want 1.1.0", rel, err)
	}
	if err := Apply(context.Background(), rel, o); err != nil {
		t.Fatalf("download with the CA file: got %v, want it installed", err)
	}
	os.WriteFile(ca, []byte("not a certificate\n"), 0o644)
	if _, err := Check(context.Background(), o); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a CA file without a certificate: got %v, want it refused", err)
	}
}

func TestServerErrorsDoNotCarryTheirBody(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		want, notWant     string
	}{
		{"html page", "text/html", "<html><body><h1>500 Internal Server Error</h1><p>nginx</p></body></html>", "500 Internal Server Error", "<"},
		{"plain text", "text/plain; charset=utf-8", "disk full\x07 on /srv\nsecond line\n", `(the server says "disk full on /srv")`, "second line"},
		{"long plain text", "text/plain", strings.Repeat("x", 300), "…", strings.Repeat("x", 101)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.handle("/manifest.json", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(tt.body))
			})
			_, err := Check(context.Background(), f.options())
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("got %v, want an error containing %q and not %q", err, tt.want, tt.notWant)
			}
		})
	}
}

func TestTheNewBinaryMustSayExactlyTheVersion(t *testing.T) {
	t.Run("1.1 is not 1.1.0", func(t *testing.T) {
		f := newFixture(t)
		f.manifest.Version = "1.1"
		f.manifest.Binaries[testPlatform] = entry(t, f.priv, "1.1", testPlatform, "bin/freecam-linux-testarch", f.new)
		if err := f.update(t, f.options()); err == nil || !strings.Contains(err.Error(), `says it is version "1.1.0", not 1.1`) {
			t.Errorf("got %v, want the binary refused", err)
		}
	})
	t.Run("an older freecam without --json", func(t *testing.T) {
		f := newFixture(t)
		old := tinyOldBinary(t, "1.1.0")
		f.srv.put("/bin/freecam-linux-testarch", old)
		f.manifest.Binaries[testPlatform] = entry(t, f.priv, "1.1.0", testPlatform, "bin/freecam-linux-testarch", old)
		if err := f.update(t, f.options()); err != nil {
			t.Errorf("got %v, want its `version` line read", err)
		}
	})
}

// TestPendingRecordsTheVersionOnDisk: after a rollback by hand the running process is newer than
// the binary on disk; the binary kept as .previous is the disk one, and so is its version.
func TestPendingRecordsTheVersionOnDisk(t *testing.T) {
	f := newFixture(t)
	disk := tinyBinary(t, "1.0.5")
	if err := os.WriteFile(f.exe, disk, 0o755); err != nil {
		t.Fatal(err)
	}
	o := f.options()
	o.CurrentVersion = "1.0.9" // what the process runs, no longer on disk
	if err := f.update(t, o); err != nil {
		t.Fatal(err)
	}
	st, err := ReadStatus(f.exe)
	if err != nil || st.Pending == nil || st.Pending.PreviousVersion != "1.0.5" {
		t.Errorf("got pending %+v (%v), want previous 1.0.5 (the binary kept)", st.Pending, err)
	}
}

func TestRollbackByHandRecordsTheVersions(t *testing.T) {
	t.Run("from the binaries", func(t *testing.T) {
		f := newFixture(t)
		if err := f.update(t, f.options()); err != nil {
			t.Fatal(err)
		}
		// The new binary confirmed: nothing pending, .previous stays.
		os.Remove(f.exe + ".pending")
		r, err := RollbackTo(f.exe, "asked for", time.Now())
		if err != nil || r.Version != "1.1.0" || r.RestoredVersion != "1.0.0" {
			t.Fatalf("got %+v, %v; want 1.1.0 removed and 1.0.0 restored", r, err)
		}
		st, _ := ReadStatus(f.exe)
		if st.LastRollback == nil || st.LastRollback.Version != "1.1.0" || st.LastRollback.RestoredVersion != "1.0.0" {
			t.Errorf("got the record %+v, want the versions", st.LastRollback)
		}
	})
	t.Run("binaries that say nothing", func(t *testing.T) {
		exe := installed(t, []byte("not a program"))
		os.WriteFile(exe+".previous", []byte("not one either"), 0o755)
		r, err := RollbackTo(exe, "asked for", time.Now())
		if err != nil || r.Version != "unknown" || r.RestoredVersion != "unknown" {
			t.Errorf("got %+v, %v; want both versions \"unknown\"", r, err)
		}
	})
}

func TestGuardReasonCarriesTheHealthError(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	o := c.options(f.exe, &rolled)
	o.Health = func() error { return errors.New(`no picture from the source "exec:/bin/false" yet`) }
	g, err := GuardStart(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	<-c.waits
	c.fire <- c.now.Add(time.Minute)
	<-g.Done()
	wantOldBinaryBack(t, f, rolled, `version 1.1.0 did not report healthy within 60s: no picture from the source "exec:/bin/false" yet`)
}

func TestApplyNamesTheComponentOnce(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	o := f.options()
	o.Logger = slog.New(slog.NewTextHandler(&buf, nil)).With("component", "update")
	if err := f.update(t, o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for _, l := range lines {
		if n := strings.Count(l, "component=update"); n != 1 {
			t.Errorf("got %d component=update in %q, want 1", n, l)
		}
	}
	if len(lines) < 2 {
		t.Errorf("got log %q, want the download and install lines", buf.String())
	}
}

func TestGuardConfirmationIsOneLine(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	var buf bytes.Buffer
	o := c.options(f.exe, &rolled)
	g, err := GuardStart(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	<-c.waits
	g.log = slog.New(slog.NewTextHandler(&buf, nil)) // only the confirmation's lines
	if err := g.ConfirmHealthy(); err != nil {
		t.Fatal(err)
	}
	<-g.Done()
	if got := strings.TrimSpace(buf.String()); strings.Count(got, "\n") != 0 || !strings.Contains(got, `msg="update confirmed: the new version reports healthy and stays" version=1.1.0`) {
		t.Errorf("got %q, want one line naming the version", got)
	}
}
