package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/conf"
)

// movedCard is a firmware card as it is after its first boot: every X.conf.dist of the fixtures
// moved to X.conf (so there is no .dist left to compare with), the values the fixtures hold
// as shell code made literal.
func movedCard(t *testing.T) string {
	t.Helper()
	src := firmwareCard(t)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".dist") {
			if err := os.Remove(filepath.Join(src, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	edit(t, src, "sendmail.conf", map[string]string{"FROMNAME": `"Dafang"`, "BODY": `"alert"`})
	edit(t, src, "telegram.conf", map[string]string{"apiToken": `'123:abc'`})
	return src
}

// edit replaces the lines KEY=… of dir/name with KEY=value (value as shell text).
func edit(t *testing.T, dir, name string, kv map[string]string) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for k, v := range kv {
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, k+"=") })
		if i < 0 {
			t.Fatalf("%s: no %s= line", name, k)
		}
		lines[i] = k + "=" + v
	}
	writeFile(t, dir, name, strings.Join(lines, "\n"))
}

// The review's case: a card whose RTSP stream has a user and a password. Applied on freecam's
// default alone, the password made no difference (no user name there), so it was left out and
// the stream was open with the user name and an empty password.
func TestRTSPPasswordOfAFirmwareCardIsImported(t *testing.T) {
	src := movedCard(t)
	edit(t, src, conf.RTSPServerFile, map[string]string{"USERNAME": "cam", "USERPASSWORD": "camRtspPw"})
	dst := filepath.Join(t.TempDir(), "config")
	rep, err := Import(src, dst, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Import: %v (refused %v)", err, rep.Refused)
	}
	for _, k := range []string{"USERNAME", "USERPASSWORD"} {
		if _, ok := find(rep.Applied, conf.RTSPServerFile, k); !ok {
			got, _ := find(rep.Ignored, conf.RTSPServerFile, k)
			t.Errorf("%s: got not applied (%q), want applied", k, got.Reason)
		}
	}
	b, err := os.ReadFile(filepath.Join(dst, conf.RTSPServerFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nUSERNAME=cam\n", "\nUSERPASSWORD=camRtspPw\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("written %s: got\n%s\nwant a line %q", conf.RTSPServerFile, b, strings.TrimSpace(want))
		}
	}
	cfg, _, err := conf.Load(dst)
	if err != nil {
		t.Fatalf("conf.Load(dst): %v", err)
	}
	if cfg.RTSP.Username != "cam" || cfg.RTSP.Password != "camRtspPw" {
		t.Errorf("loaded RTSP credentials: got %q/%q, want cam/camRtspPw", cfg.RTSP.Username, cfg.RTSP.Password)
	}
}

// Every key whose effect depends on another key of its file survives the import: the pairs of
// user and password (RTSP, MQTT, FTP, SMB, mail) and the notification targets.
func TestDependentKeysAreNeverLost(t *testing.T) {
	rtsp := func(c *conf.Config) string { return c.RTSP.Username + "/" + string(c.RTSP.Password) }
	for _, tc := range []struct {
		name       string
		file, data string
		fwDist     string            // the firmware's X.conf.dist on the card, if any
		dst        map[string]string // freecam's files before the import
		got        func(*conf.Config) string
		want       string
	}{
		{"rtsp user and password", conf.RTSPServerFile, "USERNAME=cam\nUSERPASSWORD=camRtspPw\n", "", nil, rtsp, "cam/camRtspPw"},
		{"rtsp with the firmware's dist", conf.RTSPServerFile, "PORT=8554\nUSERNAME=cam\nUSERPASSWORD=camRtspPw\n",
			"PORT=8554\nUSERNAME=\nUSERPASSWORD=\n", nil, rtsp, "cam/camRtspPw"},
		{"rtsp user already in freecam's file", conf.RTSPServerFile, "USERNAME=cam\nUSERPASSWORD=newPw\n", "",
			map[string]string{conf.RTSPServerFile: "USERNAME=cam\nUSERPASSWORD=oldPw\n"}, rtsp, "cam/newPw"},
		{"rtsp password only, user in freecam's file", conf.RTSPServerFile, "USERPASSWORD=newPw\n", "",
			map[string]string{conf.RTSPServerFile: "USERNAME=cam\nUSERPASSWORD=\n"}, rtsp, "cam/newPw"},
		{"rtsp -U in RTSPOPTS", conf.RTSPServerFile, "USERNAME=\nUSERPASSWORD=\nRTSPOPTS=\"-W1280 -H720 -U cam:optPw\"\n", "", nil, rtsp, "cam/optPw"},
		{"mqtt password with the default user", conf.MQTTFile, "HOST=broker\nUSER=mqtt-user\nPASS=mqttPw\n", "", nil,
			func(c *conf.Config) string { return c.MQTT.Host + " " + c.MQTT.User + "/" + string(c.MQTT.Pass) }, "broker mqtt-user/mqttPw"},
		{"mqtt user with the default password", conf.MQTTFile, "HOST=broker\nUSER=bob\nPASS=mqtt-password\n", "", nil,
			func(c *conf.Config) string { return c.MQTT.Host + " " + c.MQTT.User + "/" + string(c.MQTT.Pass) }, "broker bob/mqtt-password"},
		{"ftp", conf.MotionFile, "ftp_snapshot=true\nftp_host=ftp.example.org\nftp_username=user1\nftp_password=ftpPw\n", "", nil,
			func(c *conf.Config) string {
				return fmt.Sprintf("%t %s %s/%s", c.Motion.FTP.Snapshot, c.Motion.FTP.Host, c.Motion.FTP.User, string(c.Motion.FTP.Password))
			}, "true ftp.example.org user1/ftpPw"},
		{"smb", conf.MotionFile, "smb_snapshot=true\nsmb_share=//nas/cam\nsmb_username=admin\nsmb_password=smbPw\n", "", nil,
			func(c *conf.Config) string {
				return fmt.Sprintf("%t %s %s/%s", c.Motion.SMB.Snapshot, c.Motion.SMB.Host, c.Motion.SMB.User, string(c.Motion.SMB.Password))
			}, "true //nas/cam admin/smbPw"},
		{"mail", conf.MailFile, "SERVER=smtp.example.org\nAUTH=me@example.org\nPASS=mailPw\nTO=you@example.org\n", "", nil,
			func(c *conf.Config) string {
				return c.Mail.Server + " " + c.Mail.User + "/" + string(c.Mail.Pass) + " " + strings.Join(c.Mail.To, ",")
			}, "smtp.example.org me@example.org/mailPw you@example.org"},
		{"telegram", conf.TelegramFile, "apiToken=123:abc\nuserChatId=42\n", "", nil,
			func(c *conf.Config) string { return string(c.Telegram.Token) + " " + c.Telegram.ChatID }, "123:abc 42"},
		{"matrix", conf.MatrixFile, "host=matrix.example.org\nport=8448\nroom_id=!r:example.org\naccess_token=tok\n", "", nil,
			func(c *conf.Config) string {
				return c.Matrix.BaseURL + " " + c.Matrix.RoomID + " " + string(c.Matrix.Token)
			},
			"https://matrix.example.org:8448 !r:example.org tok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFile(t, src, tc.file, tc.data)
			if tc.fwDist != "" {
				writeFile(t, src, tc.file+".dist", tc.fwDist)
			}
			for n, d := range tc.dst {
				writeFile(t, dst, n, d)
			}
			rep, err := Import(src, dst, Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatalf("Import: %v (refused %v)", err, rep.Refused)
			}
			cfg, _, err := conf.Load(dst)
			if err != nil {
				t.Fatalf("conf.Load(dst): %v", err)
			}
			if got := tc.got(cfg); got != tc.want {
				t.Errorf("got %q, want %q; report: applied %v, ignored %v", got, tc.want, rep.Applied, rep.Ignored)
			}
		})
	}
}

// A key conf reads but freecam does nothing with says so, whatever its value; it is not "same as
// freecam's default".
func TestUnusedKeysSaySo(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, src, conf.OSDFile, "DISPLAY_AXIS=true\nFONTNAME=\nSIZE=20\nLOG=x\n")
	writeFile(t, src, conf.RTSPServerFile, "LOG=true\n")
	rep, err := Import(src, dst, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, key string }{
		{conf.OSDFile, "DISPLAY_AXIS"}, {conf.OSDFile, "FONTNAME"}, {conf.RTSPServerFile, "LOG"},
	} {
		got, ok := find(rep.Ignored, c.file, c.key)
		if !ok || !strings.HasPrefix(got.Reason, "freecam does not use this key") {
			t.Errorf("%s %s: got ignored=%t %q, want \"freecam does not use this key…\"", c.file, c.key, ok, got.Reason)
		}
	}
	if _, ok := find(rep.Applied, conf.OSDFile, "SIZE"); !ok {
		t.Errorf("osd.conf SIZE: not applied, want applied")
	}
}

// The autostart files an import writes that the card did not have are in the report, with why.
func TestAddedAutostartFilesAreReported(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing bool // dst has an autostart directory already
		dryRun   bool
		want     []string
	}{
		{"new config directory", false, false, []string{"autostart/auto-night", "autostart/mdns", "autostart/onvif", "autostart/rtsp"}},
		{"dry run", false, true, []string{"autostart/auto-night", "autostart/mdns", "autostart/onvif", "autostart/rtsp"}},
		{"existing autostart directory", true, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), filepath.Join(t.TempDir(), "config")
			writeFile(t, src, "autostart/mqtt-control", "#!/bin/sh\n")
			if tc.existing {
				writeFile(t, dst, "autostart/rtsp", "")
			}
			rep, err := Import(src, dst, Options{DryRun: tc.dryRun, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range rep.Added {
				got = append(got, e.File)
				if !strings.Contains(e.Reason, "not on the card") || !strings.Contains(e.Reason, "by default") {
					t.Errorf("%s: got reason %q, want it to say it is freecam's default, not on the card", e.File, e.Reason)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got added %v, want %v", got, tc.want)
			}
			var b strings.Builder
			if err := rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if len(tc.want) > 0 && !strings.Contains(b.String(), "added, not on the card (4):\n  autostart/auto-night: not on the card") {
				t.Errorf("got report\n%s\nwant the added files listed", b.String())
			}
			if _, ok := find(rep.Applied, "autostart/mqtt-control", ""); !ok {
				t.Errorf("autostart/mqtt-control: not applied")
			}
			if tc.dryRun {
				return
			}
			for _, f := range append(slices.Clone(tc.want), "autostart/mqtt") {
				if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
					t.Errorf("%s: %v, want it written", f, err)
				}
			}
		})
	}
}
