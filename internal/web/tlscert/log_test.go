package tlscert

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a slog.Handler keeping the messages it receives.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }
func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

func TestLogging(t *testing.T) {
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, SubDir)
	os.MkdirAll(tlsDir, 0o700)
	writeUserPair(t, filepath.Join(tlsDir, UserCertFile), "") // key missing
	rec := &recorder{}
	clk := &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	m, err := New(Options{Dir: dir, Now: clk.Now, Logger: slog.New(rec)})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		clk.Add(DefaultCheckInterval)
		m.GetCertificate(nil)
	}
	if got := rec.count("ERROR user tls certificate unusable"); got != 1 {
		t.Errorf("user-pair problem logged %d times over 6 checks, want once", got)
	}
	if got := rec.count("INFO generated self-signed"); got != 1 {
		t.Errorf("generation logged %d times, want 1", got)
	}
	if got := rec.count("INFO tls certificate in use"); got != 1 {
		t.Errorf("certificate in use logged %d times, want 1 (it did not change)", got)
	}

	// An expired user certificate is served anyway, with a warning.
	writeUserPair(t, filepath.Join(tlsDir, UserCertFile), filepath.Join(tlsDir, UserKeyFile))
	clk.Add(10 * 365 * 24 * time.Hour)
	m.GetCertificate(nil)
	if m.Source() != User {
		t.Errorf("expired user pair: source got %v, want user", m.Source())
	}
	if got := rec.count("WARN user tls certificate has expired"); got != 1 {
		t.Errorf("expiry warning logged %d times, want 1", got)
	}
}
