package conf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTimelapseDecode(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join(fixtureDir, TimelapseFile))
	if err != nil {
		t.Fatal(err)
	}
	withFirmware := func(f func(*Timelapse)) Timelapse {
		c := DefaultTimelapse()
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		src     string
		want    Timelapse
		wantErr string
	}{
		{name: "firmware file", src: string(fixture), want: DefaultTimelapse()},
		{name: "set", src: "TIMELAPSE_INTERVAL=0.5\nTIMELAPSE_DURATION=90\nDCIM_PATH=/mnt/tl\nSAVE_DIR_PER_DAY=0\nCOMPRESSION_QUALITY=70\nTIMELAPSE_MAX_DAYS=3\nTIMELAPSE_VIDEO_FPS=10\n",
			want: Timelapse{Interval: 500 * time.Millisecond, Duration: 90 * time.Minute, DCIMPath: "/mnt/tl", Quality: 70, MaxDays: 3, VideoFPS: 10}},
		{name: "decimal minutes", src: "TIMELAPSE_DURATION=1.5\n", want: withFirmware(func(c *Timelapse) { c.Duration = 90 * time.Second })},
		{name: "zero interval", src: "TIMELAPSE_INTERVAL=0\n", want: DefaultTimelapse(),
			wantErr: "timelapse.conf:1: TIMELAPSE_INTERVAL: must be greater than 0"},
		{name: "bad duration", src: "TIMELAPSE_DURATION=forever\n", want: DefaultTimelapse(),
			wantErr: "timelapse.conf:1: TIMELAPSE_DURATION: must be a number of minutes"},
		{name: "bad quality", src: "COMPRESSION_QUALITY=0\n", want: DefaultTimelapse(),
			wantErr: "timelapse.conf:1: COMPRESSION_QUALITY: must be between 1 and 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultTimelapse()
			errs, warns, _ := decodeFile(t, TimelapseFile, tc.src, got.decode)
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if joined := strings.Join(errs, "\n"); tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) {
				t.Errorf("got errors %q, want %q", joined, tc.wantErr)
			}
			if len(warns) > 0 {
				t.Errorf("got warnings %q, want none", warns)
			}
		})
	}
}

func TestTimelapseDist(t *testing.T) {
	dist, ok := Dist(TimelapseFile)
	if !ok {
		t.Fatal("no built-in timelapse.conf.dist")
	}
	got := Timelapse{}
	errs, warns, _ := decodeFile(t, TimelapseFile, string(dist), got.decode)
	if len(errs)+len(warns) > 0 {
		t.Errorf("got errors %q and warnings %q, want none", errs, warns)
	}
	if got != DefaultTimelapse() {
		t.Errorf("dist gives %+v, want the defaults %+v", got, DefaultTimelapse())
	}
}

func TestTimelapseDir(t *testing.T) {
	if _, err := os.Stat(firmwareSDCard); err == nil {
		t.Skip("this machine has the firmware's SD card path")
	}
	c := DefaultTimelapse()
	if got, want := c.Dir("data"), filepath.Join("data", "Timelapse"); got != want {
		t.Errorf("firmware default: got %q, want %q", got, want)
	}
	c.DCIMPath = "/mnt/usb/tl"
	if got := c.Dir("data"); got != "/mnt/usb/tl" {
		t.Errorf("custom: got %q, want /mnt/usb/tl", got)
	}
}
