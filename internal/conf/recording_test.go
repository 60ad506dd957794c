package conf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

func TestRecordingDecode(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    Recording
		wantErr string
	}{
		{name: "empty", src: "", want: DefaultRecording()},
		{name: "set", src: "SEGMENT_SECONDS=60\nMAX_DAYS=0\nMAX_SIZE_MB=2048\nMIN_FREE_PERCENT=5\nMIN_FREE_MB=500\n",
			want: Recording{Segment: time.Minute, MaxSizeMB: 2048, MinFreePercent: 5, MinFreeMB: 500}},
		{name: "decimal segment", src: "SEGMENT_SECONDS=2.5\n", want: func() Recording {
			r := DefaultRecording()
			r.Segment = 2500 * time.Millisecond
			return r
		}()},
		{name: "short segment", src: "SEGMENT_SECONDS=0.5\n", want: DefaultRecording(),
			wantErr: "recording.conf:1: SEGMENT_SECONDS: must be at least 1 second"},
		{name: "bad percent", src: "\nMIN_FREE_PERCENT=100\n", want: DefaultRecording(),
			wantErr: "recording.conf:2: MIN_FREE_PERCENT: must be between 0 and 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultRecording()
			errs, _, _ := decodeFile(t, RecordingFile, tc.src, got.decode)
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if joined := strings.Join(errs, "\n"); tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) {
				t.Errorf("got errors %q, want %q", joined, tc.wantErr)
			}
		})
	}
}

func TestRecordingDist(t *testing.T) {
	dist, ok := Dist(RecordingFile)
	if !ok {
		t.Fatal("no built-in recording.conf.dist")
	}
	got := Recording{}
	errs, warns, _ := decodeFile(t, RecordingFile, string(dist), got.decode)
	if len(errs)+len(warns) > 0 {
		t.Errorf("got errors %q and warnings %q, want none", errs, warns)
	}
	if got != DefaultRecording() {
		t.Errorf("dist gives %+v, want the defaults %+v", got, DefaultRecording())
	}
}

func TestRecordingDir(t *testing.T) {
	if _, err := os.Stat(firmwareSDCard); err == nil {
		t.Skip("this machine has the firmware's SD card path")
	}
	custom := t.TempDir()
	tests := []struct {
		name string
		src  string // rtspserver.conf; "-" = no file
		want string
	}{
		{"no file", "-", "data/Recording"},
		{"firmware default here", `DCIM_PATH="/system/sdcard/DCIM/Recording"`, "data/Recording"},
		{"static", "DCIM_PATH=" + custom, custom},
		{"dynamic", `DCIM_PATH="$(cat /tmp/x)"`, "data/Recording"},
		{"empty", "DCIM_PATH=", "data/Recording"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			if tc.src != "-" {
				d, err := shellconf.Parse(RTSPServerFile, []byte(tc.src+"\n"))
				if err != nil {
					t.Fatal(err)
				}
				cfg.Docs[RTSPServerFile] = d
			}
			if got := cfg.RecordingDir("data"); got != filepath.FromSlash(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
