package backup

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fixtureDir = "../../../shared/fixtures/dafang-config"

// firmwareConfigDir lays out a config directory as the firmware leaves it on an SD card: the
// files it ships (osd.conf, timezone.conf … and the X.conf.dist templates), the files its user
// made by copying a template and editing it (as the .dist headers say: "edit this file and move
// it to config/"), its autostart scripts and its web password file.
func firmwareConfigDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Skipf("the firmware's config files are not here (%v): this test needs ../shared/fixtures/dafang-config", err)
	}
	des, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, de := range des {
		if de.Name() == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(fixtureDir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, de.Name(), string(data), 0o644)
	}
	for _, n := range []string{"rtspserver.conf", "motion.conf", "ptz_presets.conf", "wpa_supplicant.conf", "mqtt.conf"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, n+".dist"))
		if err != nil {
			t.Fatal(err)
		}
		if n == "rtspserver.conf" {
			data = bytes.Replace(data, []byte("PORT=8554"), []byte("PORT=8555"), 1)
		}
		write(t, dir, n, string(data), 0o644)
	}
	for _, s := range []string{"rtsp-h264", "auto-night-detection", "dropbear"} {
		write(t, dir, "autostart/"+s, "#!/bin/sh\n/system/sdcard/controlscripts/"+s+"\n", 0o755)
	}
	write(t, dir, "lighttpd.user", "root:all:a6564902b25bc1bd2f5e2aa6e81d42d5\n", 0o644)
	return dir
}

// firmwareArchive runs the firmware's saveConfig.sh command on dir.
func firmwareArchive(t *testing.T, dir string, exclude bool) []byte {
	t.Helper()
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("no tar on this machine: cannot make an archive as the firmware does")
	}
	archive := filepath.Join(t.TempDir(), "savedConf-2024-01-01_12-00-00.tar.gz")
	args := []string{"-zcf", archive, "-C", dir}
	if exclude {
		args = append(args, "--exclude=*.dist")
	}
	if out, err := exec.Command(tarBin, append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// An archive made exactly as the firmware's saveConfig.sh makes it (GNU or busybox tar, paths
// "./x") restores onto freecam with a report; with the firmware's .dist files in it (an archive
// made without --exclude) those are ignored.
func TestFirmwareArchiveRestores(t *testing.T) {
	src := firmwareConfigDir(t)
	for _, tc := range []struct {
		name    string
		exclude bool
	}{{"saveConfig.sh", true}, {"with .dist files", false}} {
		t.Run(tc.name, func(t *testing.T) {
			data := firmwareArchive(t, src, tc.exclude)
			dst := newConfigDir(t)
			users, _ := os.ReadFile(filepath.Join(dst, "freecam.users"))
			rep, err := Restore(bytes.NewReader(data), dst, RestoreOptions{})
			if err != nil {
				t.Fatalf("restore: %v\nrefused:\n%s", err, reasons(rep.Refused))
			}
			t.Logf("restored:\n%signored:\n%sremoved:\n%swarnings: %d", reasons(rep.Restored), reasons(rep.Ignored), reasons(rep.Removed), len(rep.Warnings))

			for _, n := range []string{"rtspserver.conf", "motion.conf", "osd.conf", "timezone.conf", "ptz_presets.conf",
				"wpa_supplicant.conf", "autostart/rtsp-h264", "autostart/auto-night-detection"} {
				if !slices.ContainsFunc(rep.Restored, func(e Entry) bool { return e.File == n }) {
					t.Errorf("restored: got %v, want %s in it", rep.Restored, n)
				}
				want, _ := os.ReadFile(filepath.Join(src, n))
				got, _ := os.ReadFile(filepath.Join(dst, n))
				if !bytes.Equal(got, want) {
					t.Errorf("%s: got %q, want the firmware's content", n, got)
				}
			}
			ignored := map[string]string{}
			for _, e := range rep.Ignored {
				ignored[e.File] = e.Reason
			}
			if !strings.Contains(ignored["lighttpd.user"], "freecam passwd") {
				t.Errorf("lighttpd.user: got reason %q, want it ignored with a pointer to freecam passwd", ignored["lighttpd.user"])
			}
			if ignored["ldr-average.conf"] == "" {
				t.Errorf("ldr-average.conf: got %v, want it ignored", rep.Ignored)
			}
			dists := 0
			for f, why := range ignored {
				if strings.HasSuffix(f, ".dist") {
					dists++
					if !strings.Contains(why, ".dist") {
						t.Errorf("%s: got reason %q, want the .dist reason", f, why)
					}
				}
			}
			if tc.exclude && dists > 0 || !tc.exclude && dists == 0 {
				t.Errorf("ignored .dist files: got %d with exclude %v", dists, tc.exclude)
			}
			for _, n := range []string{"lighttpd.user", "ldr-average.conf", "rtspserver.conf.dist"} {
				if _, err := os.Stat(filepath.Join(dst, n)); err == nil && n != "rtspserver.conf.dist" {
					t.Errorf("%s was written, want it ignored", n)
				}
			}
			// The firmware had no onvif autostart: the restored set is the firmware's.
			if !slices.ContainsFunc(rep.Removed, func(e Entry) bool { return e.File == "autostart/onvif" }) {
				t.Errorf("removed: got %v, want autostart/onvif", rep.Removed)
			}
			if got, _ := os.ReadFile(filepath.Join(dst, "freecam.users")); !bytes.Equal(got, users) {
				t.Errorf("the accounts changed, want them kept (the firmware archive has none)")
			}
		})
	}
}

// The firmware's sendmail.conf template runs `hostname` in two values; freecam runs no shell, so
// a firmware archive holding it verbatim is refused with the lines to change, and nothing is
// written.
func TestFirmwareArchiveWithCommandsIsRefused(t *testing.T) {
	src := firmwareConfigDir(t)
	mail, err := os.ReadFile(filepath.Join(src, "sendmail.conf.dist"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, src, "sendmail.conf", string(mail), 0o644)
	data := firmwareArchive(t, src, true)
	dst := newConfigDir(t)
	before := tree(t, dst)
	rep, err := Restore(bytes.NewReader(data), dst, RestoreOptions{})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	for _, want := range []string{"sendmail.conf:9: FROMNAME: contains a command substitution", "sendmail.conf:24: BODY:"} {
		if !strings.Contains(reasons(rep.Refused), want) {
			t.Errorf("refused: got %q, want %q", reasons(rep.Refused), want)
		}
	}
	if d := diffTrees(tree(t, dst), before); len(d) > 0 {
		t.Errorf("a refused archive changed the config dir: %v", d)
	}
}
