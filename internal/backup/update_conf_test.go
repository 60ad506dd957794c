package backup

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conf.Load only warns about update.conf's errors (the camera runs without updates), but a
// restored update.conf must load: an archive with a broken one is refused, once per problem.
func TestRestoreRefusesABrokenUpdateConf(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private := base64.StdEncoding.EncodeToString(priv)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct{ name, body, reason string }{
		{"missing CA file", "UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_CA_FILE=" + missing + "\n",
			"update.conf:2: UPDATE_CA_FILE: cannot read the CA file"},
		{"a private key", "UPDATE_MANIFEST_URL=https://example.com/m.json\nUPDATE_PUBLIC_KEY=" + private + "\n",
			"update.conf:2: UPDATE_PUBLIC_KEY: the key is a release PRIVATE key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newConfigDir(t)
			before := tree(t, dir)
			archive := makeArchive(t, tarEntry{Name: "osd.conf", Body: "ENABLE_OSD=false\n"}, tarEntry{Name: "update.conf", Body: tc.body})
			rep, err := Restore(bytes.NewReader(archive), dir, RestoreOptions{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			got := reasons(rep.Refused)
			if len(rep.Refused) != 1 || !strings.Contains(got, tc.reason) {
				t.Errorf("refused: got %q, want one reason with %q", got, tc.reason)
			}
			if strings.Contains(got+strings.Join(rep.Warnings, "\n")+err.Error(), private[:16]) {
				t.Errorf("the report shows the private key: %q %q", got, rep.Warnings)
			}
			for _, w := range rep.Warnings {
				if strings.Contains(w, "UPDATE_") {
					t.Errorf("warnings: got %q, want update.conf's problem only among the refusals", w)
				}
			}
			if d := diffTrees(tree(t, dir), before); len(d) > 0 {
				t.Errorf("a refused archive changed the config dir: %v", d)
			}
		})
	}
}

// An update.conf already broken on the camera does not block the restore of other files, as it
// does not stop the camera.
func TestRestoreWithTheCamerasUpdateConfBroken(t *testing.T) {
	dir := newConfigDir(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	if err := os.WriteFile(filepath.Join(dir, "update.conf"), []byte("UPDATE_CA_FILE="+missing+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	archive := makeArchive(t, tarEntry{Name: "osd.conf", Body: "ENABLE_OSD=false\n"})
	rep, err := Restore(bytes.NewReader(archive), dir, RestoreOptions{})
	if err != nil {
		t.Fatalf("got %v (%q), want osd.conf restored", err, reasons(rep.Refused))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "osd.conf")); string(data) != "ENABLE_OSD=false\n" {
		t.Errorf("osd.conf: got %q, want the archive's", data)
	}
}
