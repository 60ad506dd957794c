package conf

import (
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
		{"short key", "\nUPDATE_PUBLIC_KEY=AAAA\n", func(*Update) {}, `update.conf:2: UPDATE_PUBLIC_KEY: must be base64 ed25519 public keys (32 bytes each), comma separated, such as the .pub file of freecam release keygen (got "AAAA")`},
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
