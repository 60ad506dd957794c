package conf

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const fixtureDir = "../../../shared/fixtures/dafang-config"

func render(t *testing.T, cfg *Config, warns []Warning) string {
	t.Helper()
	var b bytes.Buffer
	if err := cfg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n[warnings]\n")
	for _, w := range warns {
		fmt.Fprintln(&b, w)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			cfg, warns, err := Load(filepath.Join("testdata/cases", c.Name()))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := render(t, cfg, warns)
			golden := filepath.Join("testdata", c.Name()+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant (%s):\n%s", got, golden, want)
			}
		})
	}
}

// TestDistMatchesDefaults checks that the built-in .dist files load without
// warnings and say exactly what the defaults say.
func TestDistMatchesDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	created, err := EnsureFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != len(distFiles()) {
		t.Fatalf("created %v, want %d files", created, len(distFiles()))
	}
	cfg, warns, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("got warnings %v, want none", warns)
	}
	var got, want bytes.Buffer
	cfg.WriteText(&got)
	Defaults().WriteText(&want)
	if got.String() != want.String() {
		t.Errorf("dist config:\n%s\nwant the defaults:\n%s", got.String(), want.String())
	}
	for _, k := range []string{"SOURCE", "HTTPS_LISTEN", "HTTP_LISTEN", "SNAPSHOT_ANONYMOUS", "RTSP_ANONYMOUS", "RTSP_UDP_PORT", "GOP_SECONDS", "PREROLL_SECONDS", "WATCHDOG_SECONDS", "SNAPSHOT_QUALITY", "LOG_LEVEL"} {
		e, ok := cfg.Docs[FreecamFile].Lookup(k)
		if !ok {
			t.Errorf("freecam.conf.dist does not set %s", k)
			continue
		}
		prev := cfg.Docs[FreecamFile].Entries
		i := 0
		for i < len(prev) && prev[i].Line != e.Line {
			i++
		}
		if i == 0 || prev[i-1].Kind.String() != "comment" {
			t.Errorf("freecam.conf.dist: %s has no comment above it", k)
		}
	}
}

func TestEnsureFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "config")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := []byte("PORT=1234\n")
	if err := os.WriteFile(filepath.Join(dir, RTSPServerFile), mine, 0o640); err != nil {
		t.Fatal(err)
	}
	created, err := EnsureFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string // every built-in file but the one the user already has
	for _, f := range distFiles() {
		if f.name != RTSPServerFile {
			want = append(want, filepath.Join(dir, f.name))
		}
	}
	if fmt.Sprint(created) != fmt.Sprint(want) {
		t.Errorf("created: got %v, want %v", created, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, RTSPServerFile)); !bytes.Equal(got, mine) {
		t.Errorf("existing file changed: got %q", got)
	}
	again, err := EnsureFiles(dir)
	if err != nil || len(again) != 0 {
		t.Errorf("second call: got %v, %v; want nothing created", again, err)
	}
	dir2 := filepath.Join(t.TempDir(), "new")
	if _, err := EnsureFiles(dir2); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]os.FileMode{RTSPServerFile: 0o600, OSDFile: 0o644, FreecamFile: 0o644} {
		fi, err := os.Stat(filepath.Join(dir2, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode got %v, want %v", name, fi.Mode().Perm(), mode)
		}
		dist, _ := Dist(name)
		if got, _ := os.ReadFile(filepath.Join(dir2, name)); !bytes.Equal(got, dist) {
			t.Errorf("%s: content differs from its dist", name)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		file, src, want string
	}{
		{RTSPServerFile, "# x\nBITRATE=fast\n", `rtspserver.conf:2: BITRATE: must be a whole number of kbit/s (got "fast")`},
		{RTSPServerFile, "BITRATE=0\n", `rtspserver.conf:1: BITRATE: must be between 1 and 100000 kbit/s (got "0")`},
		{RTSPServerFile, "CODEC=VP8\n", `rtspserver.conf:1: CODEC: must be H264 or MJPG (got "VP8")`},
		{RTSPServerFile, "PORT=70000\n", `rtspserver.conf:1: PORT: must be between 1 and 65535 (got "70000")`},
		{RTSPServerFile, "PORT=$(cat /port)\n", `rtspserver.conf:1: PORT: contains a command substitution $(…), which freecam does not run; write a literal value`},
		{RTSPServerFile, "FRAMERATE_NUM=x\n", `rtspserver.conf:1: FRAMERATE_NUM: must be a whole number (got "x")`},
		{RTSPServerFile, "FRAMERATE_NUM=1\nFRAMERATE_DEN=100\n", `rtspserver.conf:1: FRAMERATE_NUM: the frame rate FRAMERATE_NUM/FRAMERATE_DEN must be between 0.1 and 120 fps (got 1/100)`},
		{RTSPServerFile, "VIDEOFORMAT=4\n", `rtspserver.conf:1: VIDEOFORMAT: must be between 0 and 3 (0 FixedQp, 1 CBR, 2 VBR, 3 SMART) (got "4")`},
		{RTSPServerFile, "MULTICASTDEST=10.0.0.1:5000\n", `rtspserver.conf:1: MULTICASTDEST: 10.0.0.1 is not a multicast address (224.0.0.0/4 or ff00::/8) (got "10.0.0.1:5000")`},
		{RTSPServerFile, "MULTICASTDEST=239.1.2.3\n", `rtspserver.conf:1: MULTICASTDEST: must be ip:port, for example 239.1.2.3:23912, or empty to turn multicast off (got "239.1.2.3")`},
		{RTSPServerFile, "RTSPOPTS=\"-W1281 -H720\"\n", `rtspserver.conf:1: RTSPOPTS: option -W must be an even number of pixels (got "1281")`},
		{RTSPServerFile, "RTSPOPTS=\"-W99999\"\n", `rtspserver.conf:1: RTSPOPTS: option -W must be between 64 and 3840 pixels (got "99999")`},
		{RTSPServerFile, "RTSPOPTS=\"-H big\"\n", `rtspserver.conf:1: RTSPOPTS: option -H must be a whole number of pixels (got "big")`},
		{RTSPServerFile, "RTSPOPTS=\"-W\"\n", `rtspserver.conf:1: RTSPOPTS: option -W needs a value`},
		{RTSPServerFile, "FLIP=maybe\n", `rtspserver.conf:1: FLIP: must be ON or OFF (got "maybe")`},
		{RTSPServerFile, "USERNAME='a\n", `rtspserver.conf:1: USERNAME: unterminated single quote ' (it runs to the end of the file); add the closing quote`},
		{OSDFile, "ENABLE_OSD=sometimes\n", `osd.conf:1: ENABLE_OSD: must be true or false (got "sometimes")`},
		{OSDFile, "COLOR=8\n", `osd.conf:1: COLOR: must be 0 to 7 (white, black, red, green, blue, cyan, yellow, purple) or a hex RRGGBBAA colour such as 0xFF8000FF (got "8")`},
		{OSDFile, "SIZE=-1\n", `osd.conf:1: SIZE: must be between 1 and 256 pixels (got "-1")`},
		{OSDFile, "SPACE=a\n", `osd.conf:1: SPACE: must be a whole number of pixels (got "a")`},
		{OSDFile, "POSY=5000\n", `osd.conf:1: POSY: must be between 0 and 4096 pixels (got "5000")`},
		{OSDFile, "FIXEDW=2\n", `osd.conf:1: FIXEDW: must be true or false (got "2")`},
		{OSDFile, "FONTNAME=../../etc/passwd\n", `osd.conf:1: FONTNAME: must be a font file name in the fonts directory, without a path (got "../../etc/passwd")`},
		{FreecamFile, "SOURCE=\"Y4M file\"\n", `freecam.conf:1: SOURCE: must be a source spec such as synthetic, y4m:FILE, exec:COMMAND or v4l2:DEVICE (got "Y4M file")`},
		{FreecamFile, "HTTP_LISTEN=8080\n", `freecam.conf:1: HTTP_LISTEN: must be host:port, for example 127.0.0.1:8080 or :8080, or off (got "8080")`},
		{FreecamFile, "HTTPS_LISTEN=x\n", `freecam.conf:1: HTTPS_LISTEN: must be host:port, for example 127.0.0.1:8443 or :8443 (got "x")`},
		{FreecamFile, "GOP_SECONDS=0\n", `freecam.conf:1: GOP_SECONDS: must be greater than 0 and at most 60 seconds (got "0")`},
		{FreecamFile, "PREROLL_SECONDS=-1\n", `freecam.conf:1: PREROLL_SECONDS: must be 0 or more and at most 60 seconds (got "-1")`},
		{FreecamFile, "WATCHDOG_SECONDS=soon\n", `freecam.conf:1: WATCHDOG_SECONDS: must be a number of seconds (got "soon")`},
		{FreecamFile, "\nRTSP_UDP_PORT=8001\n", `freecam.conf:2: RTSP_UDP_PORT: must be an even port (RTCP uses the next one) or 0 for TCP only (got 8001)`},
		{FreecamFile, "SNAPSHOT_QUALITY=101\n", `freecam.conf:1: SNAPSHOT_QUALITY: must be between 1 and 100 (got "101")`},
		{FreecamFile, "LOG_LEVEL=loud\n", `freecam.conf:1: LOG_LEVEL: must be debug, info, warn or error (got "loud")`},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+strings.TrimSpace(tt.src), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.src), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, _, err := Load(dir)
			if err == nil {
				t.Fatalf("got no error, want %s", tt.want)
			}
			if cfg != nil {
				t.Errorf("got a config with an error, want nil")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %T, want Errors", err)
			}
			if len(errs) != 1 {
				t.Fatalf("got %d errors:\n%v\nwant exactly one", len(errs), err)
			}
			if got := errs[0].String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(RTSPServerFile, "PORT=0\nBITRATE=fast\nCODEC=x\n")
	write(OSDFile, "SIZE=big\n")
	write(FreecamFile, "SNAPSHOT_QUALITY=0\n")
	_, _, err := Load(dir)
	want := `rtspserver.conf:1: PORT: must be between 1 and 65535 (got "0")
rtspserver.conf:2: BITRATE: must be a whole number of kbit/s (got "fast")
rtspserver.conf:3: CODEC: must be H264 or MJPG (got "x")
osd.conf:1: SIZE: must be a whole number of pixels (got "big")
freecam.conf:1: SNAPSHOT_QUALITY: must be between 1 and 100 (got "0")`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestFirmwareFixtures(t *testing.T) {
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Skipf("firmware fixtures not found at %s (a clone outside the workspace): %v", fixtureDir, err)
	}
	dir := t.TempDir()
	for src, dst := range map[string]string{"rtspserver.conf.dist": RTSPServerFile, "osd.conf": OSDFile} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, warns, err := Load(dir)
	if err != nil {
		t.Fatalf("the firmware's own files must load: %v", err)
	}
	if len(warns) != 0 {
		t.Errorf("got warnings %v, want none (every firmware key is known)", warns)
	}
	def := Defaults()
	if cfg.RTSP != def.RTSP {
		t.Errorf("rtspserver.conf.dist: got %+v, want the defaults %+v", cfg.RTSP, def.RTSP)
	}
	if cfg.OSD != def.OSD {
		t.Errorf("osd.conf: got %+v, want the defaults %+v", cfg.OSD, def.OSD)
	}
}

func TestSecret(t *testing.T) {
	s := Secret("hunter2")
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "pw", s)
	for _, got := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v", s, s, s), b.String()} {
		if strings.Contains(got, "hunter2") || !strings.Contains(got, "REDACTED") {
			t.Errorf("got %q, want REDACTED without the secret", got)
		}
	}
	cfg := Defaults()
	cfg.RTSP.Password = s
	if got := fmt.Sprintf("%+v", cfg.RTSP); strings.Contains(got, "hunter2") {
		t.Errorf("config printed the password: %s", got)
	}
}
