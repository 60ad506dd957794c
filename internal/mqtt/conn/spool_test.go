package conn

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/freecam/freecam/internal/testutil"
)

func TestSpoolResumesAfterARestartAndSkipsDamage(t *testing.T) {
	dir := t.TempDir()
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	s, err := openSpool(dir, 100, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "b", "c"} {
		if err := s.put(Message{Topic: "t/" + p, Payload: []byte(p), QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	// A crash mid-write leaves a .tmp; damage hits the second message; strangers are left alone.
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000009.tmp"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path(2), []byte("FCQ"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	s2, err := openSpool(dir, 100, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.put(Message{Topic: "t/d", Payload: []byte("d"), Retain: true, QoS: 1}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		seq, m, ok := s2.oldest()
		if !ok {
			break
		}
		got = append(got, m.Topic+"="+string(m.Payload))
		s2.remove(seq)
	}
	if g, want := len(got), 3; g != want {
		t.Fatalf("got %v, want 3 messages (the damaged one skipped)", got)
	}
	for i, want := range []string{"t/a=a", "t/c=c", "t/d=d"} {
		if got[i] != want {
			t.Errorf("message %d: got %s, want %s", i, got[i], want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000009.tmp")); !os.IsNotExist(err) {
		t.Errorf("got the .tmp left over (%v), want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Errorf("got %v, want a file that is not ours left alone", err)
	}
	if len(logLines(logs, "WARN")) != 1 {
		t.Errorf("got warnings %q, want one for the damaged message", logLines(logs, "WARN"))
	}
}

func TestSpoolDirIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if _, err := New(Options{SpoolDir: dir}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("got mode %v, want 0700", got)
	}
}

func BenchmarkPublishDurable(b *testing.B) {
	c, err := New(Options{SpoolDir: b.TempDir(), SpoolMax: 1 << 30, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	m := Message{Topic: "myhome/dafang/motion", Payload: make([]byte, 100), QoS: 1}
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Payload)))
	for b.Loop() {
		if err := c.PublishDurable(m); err != nil {
			b.Fatal(err)
		}
	}
}
