package importer

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/web/auth"
)

const fixtures = "../../../../shared/fixtures/dafang-config"

// firmwareCard returns a source directory as a fresh firmware SD card has it: every X.conf.dist
// of the fixtures, and an X.conf copied from each, plus the files that ship without a .dist.
func firmwareCard(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Skipf("the firmware's config fixtures are not here (%v): run inside the workspace", err)
	}
	src := t.TempDir()
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, src, e.Name(), string(data))
		if n, ok := strings.CutSuffix(e.Name(), ".dist"); ok {
			writeFile(t, src, n, string(data))
		}
	}
	return src
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree returns every file under dir with its content and mode.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.Mode().String() + "\n" + string(data)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func find(list []Entry, file, key string) (Entry, bool) {
	i := slices.IndexFunc(list, func(e Entry) bool { return e.File == file && e.Key == key })
	if i < 0 {
		return Entry{}, false
	}
	return list[i], true
}

func TestFirmwareDistTreeImportsCleanly(t *testing.T) {
	src := firmwareCard(t)
	dst := filepath.Join(t.TempDir(), "config")
	rep, err := Import(src, dst, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(rep.Refused) > 0 {
		t.Errorf("got %d refusals, want none: %v", len(rep.Refused), rep.Refused)
	}

	// Every key of every file is accounted for, with a reason.
	all := append(slices.Clone(rep.Applied), rep.Ignored...)
	entries, _ := os.ReadDir(src)
	keys := 0
	for _, e := range entries {
		name := e.Name()
		if _, ok := find(all, name, ""); ok { // a whole file
			continue
		}
		d, err := shellconf.ReadFile(filepath.Join(src, name))
		if err != nil || len(d.Keys()) == 0 {
			t.Errorf("%s: not in the report as a whole file, and no keys to report (%v)", name, err)
			continue
		}
		for _, k := range d.Keys() {
			keys++
			got, ok := find(all, name, k)
			line, _ := d.Lookup(k)
			switch {
			case !ok:
				t.Errorf("%s %s: not in the report", name, k)
			case got.Reason == "":
				t.Errorf("%s %s: no reason", name, k)
			case got.Line != line.Line:
				t.Errorf("%s %s: got line %d, want %d", name, k, got.Line, line.Line)
			}
		}
	}
	if keys < 100 {
		t.Errorf("got %d keys in the fixtures' files, want 100 or more (the fixtures were not read)", keys)
	}
	if n := len(rep.Applied) + len(rep.Ignored); n < keys {
		t.Errorf("got %d report entries, want at least %d", n, keys)
	}

	// What a fresh card holds is the firmware's defaults: none of its placeholders (an MQTT
	// host "mqtt-host", a static address) become settings.
	for _, c := range []struct{ file, key, reason string }{
		{"rtspserver.conf", "AUDIOFORMAT", "freecam does not use this key"},
		{"osd.conf", "DISPLAY_AXIS", "freecam does not use this key"},
		{"osd.conf", "FONTNAME", "freecam does not use this key"},
		{"rtspserver.conf", "SUB_DIR", "does not use"}, // a $(date …) value, but not one freecam reads
		{"mqtt.conf", "HOST", "unchanged from the firmware's default"},
		{"mqtt.conf", "LD_LIBRARY_PATH", "not a key freecam knows"},
		{"sendmail.conf", "FROMNAME", "unchanged from the firmware's default"}, // `hostname`
		{"osd.conf", "OSD", "same as freecam's default"},
		{"staticip.conf", "", "unchanged from the firmware's default"},
		{"ssh.conf", "ssh_port", "no SSH server"},
		{"motion.conf.dist", "", "built-in default"},
	} {
		got, ok := find(rep.Ignored, c.file, c.key)
		if !ok || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s %s: got ignored=%v %q, want ignored with a reason containing %q", c.file, c.key, ok, got.Reason, c.reason)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "staticip.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("staticip.conf in dst: got %v, want no such file (the firmware's example address is not a setting)", err)
	}
	if _, _, err := conf.Load(dst); err != nil {
		t.Errorf("conf.Load(dst): %v", err)
	}
}

func TestChangedValuesAreApplied(t *testing.T) {
	src := t.TempDir()
	dist := "CODEC=\"H264\"\nPORT=8554\nBITRATE=5000\nAUDIOFORMAT=MP3\n"
	writeFile(t, src, "rtspserver.conf.dist", dist)
	writeFile(t, src, "rtspserver.conf", "CODEC=\"H264\"\nPORT=8555\n# comment\nBITRATE=3000\nAUDIOFORMAT=OPUS\nFLIP=ON\n")
	writeFile(t, src, "motion.conf", "motion_sensitivity=4\nftp_password='it'\\''s $ecret'\n")
	writeFile(t, src, "hostname.conf", "garage\n")
	writeFile(t, src, "hostname.conf.dist", "DAFANG\n")
	writeFile(t, src, "swap.conf", "SWAP=true\nSWAPSIZE=128\n")
	writeFile(t, src, "autostart/mqtt-control", "#!/bin/sh\n/system/sdcard/controlscripts/mqtt-control\n")
	writeFile(t, src, "autostart/dropbear", "#!/bin/sh\n")
	writeFile(t, src, "autostart/mdns-responder", "#!/bin/sh\n")
	writeFile(t, src, "userscripts/motiondetection/x.sh", "#!/bin/sh\n")
	dst := t.TempDir()

	rep, err := Import(src, dst, Options{})
	if err != nil {
		t.Fatalf("Import: %v (%v)", err, rep.Refused)
	}
	for _, c := range []struct {
		file, key string
		line      int
	}{
		{"rtspserver.conf", "PORT", 2}, {"rtspserver.conf", "BITRATE", 4}, {"rtspserver.conf", "FLIP", 6},
		{"motion.conf", "motion_sensitivity", 1}, {"motion.conf", "ftp_password", 2},
		{"hostname.conf", "", 0}, {"swap.conf", "SWAP", 1}, {"swap.conf", "SWAPSIZE", 2},
		{"autostart/mqtt-control", "", 0}, {"autostart/mdns-responder", "", 0},
	} {
		if got, ok := find(rep.Applied, c.file, c.key); !ok || got.Line != c.line {
			t.Errorf("%s:%d %s: got applied=%v at line %d, want applied at line %d", c.file, c.line, c.key, ok, got.Line, c.line)
		}
	}
	for _, c := range []struct{ file, key string }{
		{"rtspserver.conf", "CODEC"}, {"rtspserver.conf", "AUDIOFORMAT"}, {"autostart/dropbear", ""}, {"userscripts/", ""},
	} {
		if _, ok := find(rep.Ignored, c.file, c.key); !ok {
			t.Errorf("%s %s: not ignored, want ignored", c.file, c.key)
		}
	}

	cfg, _, err := conf.Load(dst)
	if err != nil {
		t.Fatalf("conf.Load(dst): %v", err)
	}
	if cfg.RTSP.Port != 8555 || cfg.RTSP.BitrateKbps != 3000 || !cfg.RTSP.Flip || cfg.Motion.Sensitivity != 4 {
		t.Errorf("got port %d, bitrate %d, flip %t, sensitivity %d; want 8555, 3000, true, 4",
			cfg.RTSP.Port, cfg.RTSP.BitrateKbps, cfg.RTSP.Flip, cfg.Motion.Sensitivity)
	}
	if got := string(cfg.Motion.FTP.Password); got != "it's $ecret" {
		t.Errorf("ftp_password: got %q, want %q", got, "it's $ecret")
	}
	files := tree(t, dst)
	if got := files["hostname.conf"]; !strings.HasSuffix(got, "\ngarage\n") {
		t.Errorf("hostname.conf: got %q, want garage", got)
	}
	if got := files["swap.conf"]; !strings.Contains(got, "SWAP=true\n") || !strings.Contains(got, "SWAPSIZE=128\n") {
		t.Errorf("swap.conf: got %q, want SWAP=true and SWAPSIZE=128", got)
	}
	// mqtt comes on; freecam's default set stays on; dropbear and the user scripts are not copied.
	for _, n := range []string{"autostart/mqtt", "autostart/rtsp", "autostart/auto-night", "autostart/onvif", "autostart/mdns"} {
		if _, ok := files[n]; !ok {
			t.Errorf("%s: missing in dst (got %v)", n, slices.Sorted(maps.Keys(files)))
		}
	}
	for n := range files {
		if strings.Contains(n, "dropbear") || strings.HasPrefix(n, "userscripts") || strings.HasSuffix(n, ".dist") {
			t.Errorf("%s: written to dst, want it left out", n)
		}
	}
	if got := files["autostart/mqtt"]; strings.Contains(got, "controlscripts") {
		t.Errorf("autostart/mqtt: got the firmware's script %q, want freecam's marker", got)
	}
}

// Each case imports a card with one bad file next to a good change, and checks that the bad
// one is refused with its reason and that nothing at all is written.
func TestRefusalsWriteNothing(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		key              string
		reason           []string
	}{
		{"command substitution", "motion.conf", "motion_sensitivity=3\nsmb_share=\"$(cat /etc/shadow)\"\n", "smb_share",
			[]string{"motion.conf:2 smb_share: contains a command substitution"}},
		{"backticks", "sendmail.conf", "FROMNAME=\"`reboot`\"\n", "FROMNAME",
			[]string{"sendmail.conf:1 FROMNAME: contains a command substitution"}},
		{"invalid port", "rtspserver.conf", "# x\nPORT=99999\n", "PORT",
			[]string{"rtspserver.conf:2 PORT: must be between 1 and 65535"}},
		{"invalid swap", "swap.conf", "SWAPSIZE=lots\n", "SWAPSIZE",
			[]string{"swap.conf:1 SWAPSIZE: must be a whole number"}},
		{"invalid hostname", "hostname.conf", "bad_name!\n", "",
			[]string{"must be a host name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			writeFile(t, src, "osd.conf", "SIZE=20\n") // a good change, which must not be written either
			if tc.file != "rtspserver.conf" {
				writeFile(t, src, "rtspserver.conf", "BITRATE=3000\n")
			}
			writeFile(t, src, tc.file, tc.data)
			dst := t.TempDir()
			writeFile(t, dst, "osd.conf", "SIZE=14\n")
			before := tree(t, dst)

			rep, err := Import(src, dst, Options{})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("got error %v, want ErrRefused", err)
			}
			got, ok := find(rep.Refused, tc.file, tc.key)
			if !ok {
				t.Fatalf("%s %s: not refused; refused: %v", tc.file, tc.key, rep.Refused)
			}
			// The report line says where once: "file:line KEY: reason".
			line := got.Where() + ": " + got.Reason
			for _, want := range tc.reason {
				if !strings.Contains(line, want) {
					t.Errorf("got report line %q, want it to contain %q", line, want)
				}
			}
			if n := strings.Count(line, tc.file); n != 1 {
				t.Errorf("got report line %q, naming %s %d times, want once", line, tc.file, n)
			}
			if strings.Contains(got.Reason, "hunter2") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the reason shows the password: %q", got.Reason)
			}
			if after := tree(t, dst); !mapsEqual(before, after) {
				t.Errorf("dst changed on a refused import: got %v, want %v", after, before)
			}
			if _, err := os.Stat(filepath.Join(dst, auth.UsersFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: got %v, want no accounts file", auth.UsersFile, err)
			}
			if len(rep.Written) != 0 {
				t.Errorf("got written %v, want nothing", rep.Written)
			}
		})
	}
}

// The firmware's web password file is never accepted — no account comes from it, the default
// password least of all — but, since every firmware card has one, it does not block the rest.
func TestLighttpdUserNeverBecomesAnAccount(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		reason     []string
	}{
		{"default (htdigest)", "root:all:a6564902a687c445cbd80bab194c42d5\n", []string{"public default password", "freecam passwd"}},
		{"default (plain)", "root:ismart12\n", []string{"public default password", "freecam passwd"}},
		{"other password", "root:all:" + ha1("root", "all", "hunter2hunter2") + "\n", []string{"never imported", "freecam passwd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFile(t, src, "osd.conf", "SIZE=20\n")
			writeFile(t, src, LighttpdUserFile, tc.data)
			rep, err := Import(src, dst, Options{})
			if err != nil {
				t.Fatalf("got %v, want the rest imported", err)
			}
			got, ok := find(rep.Ignored, LighttpdUserFile, "")
			if !ok {
				t.Fatalf("lighttpd.user not in the ignored list: %v", rep.Ignored)
			}
			for _, want := range tc.reason {
				if !strings.Contains(got.Reason, want) {
					t.Errorf("got reason %q, want it to contain %q", got.Reason, want)
				}
			}
			if strings.Contains(got.Reason, "hunter2") || strings.Contains(got.Reason, "ismart12\n") {
				t.Errorf("the reason shows the password: %q", got.Reason)
			}
			if _, err := os.Stat(filepath.Join(dst, auth.UsersFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: got %v, want no accounts file", auth.UsersFile, err)
			}
			if _, err := os.Stat(filepath.Join(dst, LighttpdUserFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("lighttpd.user copied to dst: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(dst, "osd.conf")); !strings.Contains(string(b), "SIZE=20") {
				t.Errorf("osd.conf: got %q, want the imported SIZE=20", b)
			}
		})
	}
}

// A value that is valid alone but not with dst's other files is refused too (the merged check).
func TestMergedResultMustLoad(t *testing.T) {
	src := t.TempDir()
	writeFile(t, src, "motion.conf", "region_of_interest=0,0,1280,720\n")
	dst := t.TempDir()
	writeFile(t, dst, "rtspserver.conf", "RTSPOPTS=\"-W640 -H360\"\n")
	rep, err := Import(src, dst, Options{})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want ErrRefused", err)
	}
	got, ok := find(rep.Refused, "motion.conf", "region_of_interest")
	if !ok || got.Line != 1 || !strings.Contains(got.Reason, "outside the 640x360 picture") {
		t.Errorf("got %v %+v, want region_of_interest refused on line 1 as outside the picture", ok, got)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	src := t.TempDir()
	writeFile(t, src, "rtspserver.conf", "PORT=8555\n")
	writeFile(t, src, "hostname.conf", "garage\n")
	writeFile(t, src, "autostart/recording", "")
	dst := filepath.Join(t.TempDir(), "config")

	rep, err := Import(src, dst, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Applied) != 3 || len(rep.Written) != 0 || !rep.DryRun {
		t.Errorf("got %d applied, written %v, dry run %t; want 3, nothing, true", len(rep.Applied), rep.Written, rep.DryRun)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dst: got %v, want it not created by a dry run", err)
	}
	real, err := Import(src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(real.Applied) != len(rep.Applied) {
		t.Errorf("got %d applied for real, want %d as in the dry run", len(real.Applied), len(rep.Applied))
	}
}

func TestImportTwiceIsIdempotent(t *testing.T) {
	src := firmwareCard(t)
	writeFile(t, src, "rtspserver.conf", "PORT=8555\nRTSPOPTS=\"-W1920 -H1080\"\nUSERNAME=cam\nUSERPASSWORD='p a$$'\n")
	writeFile(t, src, "timezone.conf", "Europe/Paris\n")
	writeFile(t, src, "autostart/timelapse", "")
	dst := t.TempDir()
	first, err := Import(src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	once := tree(t, dst)
	if len(once) == 0 {
		t.Fatal("nothing written by the first import")
	}
	second, err := Import(src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if twice := tree(t, dst); !mapsEqual(once, twice) {
		t.Errorf("dst after a second import:\ngot  %v\nwant %v", twice, once)
	}
	// The second report says that nothing changed: everything the first applied is already so.
	if len(first.Applied) < 5 {
		t.Fatalf("got %d applied the first time, want 5 or more: %v", len(first.Applied), first.Applied)
	}
	if len(second.Applied) != 0 || len(second.Written) != 0 || len(second.Added) != 0 {
		t.Errorf("second import: got applied %v, written %v, added %v; want nothing", second.Applied, second.Written, second.Added)
	}
	for _, a := range first.Applied {
		got, ok := find(second.Ignored, a.File, a.Key)
		if !ok || !strings.HasPrefix(got.Reason, "already so") {
			t.Errorf("%s: got ignored=%t %q the second time, want \"already so…\"", a.Where(), ok, got.Reason)
		}
	}
	if n := len(first.Applied) + len(first.Ignored); len(second.Ignored) != n {
		t.Errorf("got %d ignored the second time, want %d (every entry of the first report)", len(second.Ignored), n)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func TestReportText(t *testing.T) {
	rep := newReport()
	rep.apply(Entry{File: "rtspserver.conf", Line: 2, Key: "PORT", Reason: "taken into rtspserver.conf"})
	rep.ignore(Entry{File: "motion.conf.dist", Reason: "the firmware's built-in default"})
	rep.refuse(Entry{File: "lighttpd.user", Reason: "never"})
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "applied (1):\n  rtspserver.conf:2 PORT: taken into rtspserver.conf\n" +
		"ignored (1):\n  motion.conf.dist: the firmware's built-in default\n" +
		"refused (1):\n  lighttpd.user: never\n" +
		"refused: nothing was written (1 refused)\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
