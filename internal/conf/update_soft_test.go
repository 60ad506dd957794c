package conf

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Load turns update.conf's errors into warnings and updates off: an updates-only setting must
// not stop the camera from starting or reloading.
func TestLoadUpdateProblemIsAWarning(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private := base64.StdEncoding.EncodeToString(priv)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	const url = "UPDATE_MANIFEST_URL=https://example.com/m.json\n"
	tests := []struct {
		name, src string
		want      []string // the warnings of update.conf, in order
	}{
		{"missing CA file", url + "UPDATE_CA_FILE=" + missing + "\n",
			[]string{"update.conf:2: UPDATE_CA_FILE: cannot read the CA file: open " + missing}},
		{"a private key", url + "UPDATE_PUBLIC_KEY=" + private + "\n",
			[]string{"update.conf:2: UPDATE_PUBLIC_KEY: the key is a release PRIVATE key"}},
		{"plain http and bad hours", "UPDATE_CHECK_HOURS=-1\nUPDATE_MANIFEST_URL=http://example.com/m.json\nUPDATE_AUTO=yes\n",
			[]string{"update.conf:1: UPDATE_CHECK_HOURS: must be between", "update.conf:2: UPDATE_MANIFEST_URL: must use https"}},
		{"unknown key stays a warning, bad key sorted by line", "UPDATE_FOO=1\n" + url + "UPDATE_PUBLIC_KEY=AAAA\n",
			[]string{"update.conf:1: UPDATE_FOO: unknown key", "update.conf:3: UPDATE_PUBLIC_KEY: the key decodes to 3 bytes"}},
		{"a shell syntax error", url + "UPDATE_AUTO='on\n", []string{"update.conf:2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, UpdateFile), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, warns, err := Load(dir)
			if err != nil {
				t.Fatalf("got error %v, want the config loaded with update.conf's problems as warnings", err)
			}
			var got []string
			for _, w := range warns {
				if w.File == UpdateFile {
					got = append(got, w.String())
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got update.conf warnings %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("warning %d: got %q, want it to start %q", i, got[i], tc.want[i])
				}
				if strings.Contains(got[i], private[:16]) {
					t.Errorf("warning %d: got %q, which shows the private key", i, got[i])
				}
			}
			u := cfg.Update
			if u.Configured() || u.ManifestURL != "" || u.PublicKey != "" || u.CAFile != "" || u.Auto {
				t.Errorf("got Update %+v, want updates off", u)
			}
			if u.Problem == "" || !strings.HasPrefix(u.Problem, "update.conf:") || strings.Contains(u.Problem, private[:16]) {
				t.Errorf("got Problem %q, want update.conf's errors without the key", u.Problem)
			}
			for _, w := range tc.want {
				if strings.HasPrefix(w, "update.conf:1: UPDATE_FOO") {
					continue // a warning is no problem
				}
				if !strings.Contains(u.Problem, w) {
					t.Errorf("got Problem %q, want it to hold %q", u.Problem, w)
				}
			}
			if strings.Contains(u.Problem, "UPDATE_FOO") {
				t.Errorf("got Problem %q, want an unknown key left out of it", u.Problem)
			}
			// freecam update refuses the same file.
			if _, err := LoadUpdate(dir); err == nil {
				t.Error("LoadUpdate: got no error, want update.conf's errors")
			}
		})
	}
}

func TestLoadUpdateGoodHasNoProblem(t *testing.T) {
	dir := t.TempDir()
	ca := testCA(t)
	os.WriteFile(filepath.Join(dir, UpdateFile), []byte("UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_CA_FILE="+ca+"\n"), 0o644)
	cfg, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Update.Problem != "" || cfg.Update.ManifestURL != "https://example.com/m.json" || cfg.Update.CAFile != ca {
		t.Errorf("got %+v, want the URL and CA file and no problem", cfg.Update)
	}
	// Another file's error still stops Load while update.conf is broken too.
	os.WriteFile(filepath.Join(dir, UpdateFile), []byte("UPDATE_CA_FILE=ca.pem\n"), 0o644)
	os.WriteFile(filepath.Join(dir, RTSPServerFile), []byte("BITRATE=fast\n"), 0o644)
	_, _, err = Load(dir)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].File != RTSPServerFile {
		t.Errorf("got %v, want rtspserver.conf's error alone", err)
	}
}

// Apply refuses an edit of update.conf that does not load, and lets other files be edited while
// update.conf is broken on disk.
func TestApplyUpdateConf(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	_, err := Apply(dir, Edits{UpdateFile: {"UPDATE_CA_FILE": missing}})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != "UPDATE_CA_FILE" {
		t.Fatalf("edit to a missing CA file: got %v, want refused naming UPDATE_CA_FILE", err)
	}
	if _, err := os.Stat(filepath.Join(dir, UpdateFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused edit: got update.conf written (%v), want nothing written", err)
	}
	os.WriteFile(filepath.Join(dir, UpdateFile), []byte("UPDATE_CA_FILE="+missing+"\n"), 0o644)
	if _, err := Apply(dir, Edits{RTSPServerFile: {"BITRATE": "800"}}); err != nil {
		t.Errorf("edit of rtspserver.conf with update.conf broken: got %v, want it written", err)
	}
}
