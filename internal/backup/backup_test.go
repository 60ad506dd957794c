package backup

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Everything a backup holds, wiped and restored, comes back byte for byte with its mode; what it
// must leave out is not in the archive.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want []string // names that must be in the archive besides the .conf files
		not  []string // names that must not be
	}{
		{"defaults", Options{}, []string{"freecam.users", "autostart/", "autostart/onvif", "autostart/rtsp", "hostname.conf"},
			[]string{"freecam.key", "tls/", "tls/freecam.key", "tls/freecam.crt"}},
		{"with keys", Options{IncludeSealingKey: true, IncludeTLSKeys: true},
			[]string{"freecam.users", "freecam.key", "tls/", "tls/freecam.crt", "tls/freecam.key", "autostart/rtsp"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newConfigDir(t)
			var buf bytes.Buffer
			if err := Create(&buf, dir, tc.o); err != nil {
				t.Fatal(err)
			}
			names := archiveNames(t, buf.Bytes())
			if !slices.IsSorted(names[:slices.Index(names, "autostart/")]) {
				t.Errorf("top-level files not in sorted order: %v", names)
			}
			for _, n := range tc.want {
				if !slices.Contains(names, n) {
					t.Errorf("archive: got %v, want %s in it", names, n)
				}
			}
			for _, n := range append(tc.not, "rtspserver.conf.dist", "cameraposition", "notes.txt", "swap.conf",
				"userscripts/", "userscripts/motiondetection/x.sh") {
				if slices.Contains(names, n) {
					t.Errorf("archive: got %s in it, want it left out (%v)", n, names)
				}
			}
			for _, n := range names {
				if strings.HasSuffix(n, ".dist") {
					t.Errorf("archive holds %s, want no .dist file", n)
				}
			}

			before := tree(t, dir)
			// Wipe what was backed up.
			for _, n := range names {
				if !strings.HasSuffix(n, "/") {
					if err := os.Remove(filepath.Join(dir, n)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := os.RemoveAll(filepath.Join(dir, "autostart")); err != nil {
				t.Fatal(err)
			}
			rep, err := Restore(bytes.NewReader(buf.Bytes()), dir, RestoreOptions{})
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, reasons(rep.Refused))
			}
			if d := diffTrees(tree(t, dir), before); len(d) > 0 {
				t.Errorf("after the round trip, the config dir differs: %v", d)
			}
			files := 0
			for _, n := range names {
				if !strings.HasSuffix(n, "/") {
					files++
				}
			}
			if len(rep.Restored) != files || len(rep.Refused) != 0 {
				t.Errorf("report: got %d restored, %d refused; want %d and 0", len(rep.Restored), len(rep.Refused), files)
			}
		})
	}
}

// A digest account with an archive that has no freecam.key is warned about.
func TestRestoreWithoutSealingKeyWarns(t *testing.T) {
	dir := newConfigDir(t)
	var buf bytes.Buffer
	if err := Create(&buf, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err := Restore(&buf, dir, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.Contains(w, "nvr must set their password again") }) {
		t.Errorf("warnings: got %q, want one naming the digest account nvr", rep.Warnings)
	}
}

func TestCreateIsDeterministic(t *testing.T) {
	dir := newConfigDir(t)
	var a, b bytes.Buffer
	if err := Create(&a, dir, Options{IncludeTLSKeys: true}); err != nil {
		t.Fatal(err)
	}
	if err := Create(&b, dir, Options{IncludeTLSKeys: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two backups of the same directory differ (%d and %d bytes)", a.Len(), b.Len())
	}
}

// A file over the limit is an error before anything is written.
func TestCreateSizeCap(t *testing.T) {
	dir := newConfigDir(t)
	write(t, dir, "motion.conf", strings.Repeat("# padding\n", 2000), 0o600)
	var buf bytes.Buffer
	err := Create(&buf, dir, Options{MaxFileSize: 4096})
	if err == nil || !strings.Contains(err.Error(), "motion.conf is larger than 4096 bytes") {
		t.Errorf("got %v, want motion.conf is larger than 4096 bytes", err)
	}
	if buf.Len() != 0 {
		t.Errorf("got %d bytes written, want none", buf.Len())
	}
	if err := Create(&buf, dir, Options{MaxTotalSize: 10000}); err == nil {
		t.Errorf("a total over MaxTotalSize: got no error")
	}
}
