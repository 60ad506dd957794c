package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A broken update.conf is reported, but the config passes: the camera starts without updates.
func TestConfCheckUpdateConfProblemsAreWarnings(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	os.WriteFile(filepath.Join(dir, "update.conf"), []byte("UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_CA_FILE="+missing+"\n"), 0o600)
	var stdout, stderr bytes.Buffer
	code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Errorf("got exit code %d (%s%s), want 0: update.conf's errors do not stop the camera", code, out, stderr.String())
	}
	for _, want := range []string{
		"warning: update.conf:2: UPDATE_CA_FILE: cannot read the CA file",
		"note: update.conf has errors (above): updates are off until they are fixed",
		": OK (1 warning(s))",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("got output %q, want it to contain %q", out, want)
		}
	}

	// With another file's error too, both are reported and the check fails.
	os.WriteFile(filepath.Join(dir, "rtspserver.conf"), []byte("BITRATE=fast\n"), 0o600)
	stdout.Reset()
	if code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr); code != 1 {
		t.Errorf("with a bad rtspserver.conf: got exit code %d, want 1", code)
	}
	for _, want := range []string{"warning: update.conf:2: UPDATE_CA_FILE", "note: update.conf has errors", "error: rtspserver.conf:1: BITRATE:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("got output %q, want it to contain %q", stdout.String(), want)
		}
	}

	// A good update.conf: no note.
	os.Remove(filepath.Join(dir, "rtspserver.conf"))
	os.WriteFile(filepath.Join(dir, "update.conf"), []byte("UPDATE_CHECK_HOURS=6\n"), 0o600)
	stdout.Reset()
	if code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr); code != 0 || strings.Contains(stdout.String(), "note:") {
		t.Errorf("good update.conf: got code %d output %q, want 0 and no note", code, stdout.String())
	}
}
