package conf

import (
	"image"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

func TestMotionFirmwareFixtureLoads(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixtureDir, "motion.conf.dist"))
	if err != nil {
		t.Fatal(err)
	}
	m, errs, warns := decodeMotion(t, string(src))
	if len(errs) != 0 || len(warns) != 0 {
		t.Fatalf("got errors %q warnings %q, want none", errs, warns)
	}
	want := DefaultMotion()
	want.Regions = []image.Rectangle{image.Rect(0, 0, 1280, 720)}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v, want %+v", m, want)
	}
}

func TestMotionDistMatchesDefaults(t *testing.T) {
	src, ok := Dist(MotionFile)
	if !ok {
		t.Fatal("no built-in motion.conf.dist")
	}
	m, errs, warns := decodeMotion(t, string(src))
	if len(errs) != 0 || len(warns) != 0 {
		t.Fatalf("got errors %q warnings %q, want none", errs, warns)
	}
	if want := DefaultMotion(); !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v, want the defaults %+v", m, want)
	}
	// Every key of the firmware's file is in the dist, so no setting is lost on upgrade.
	fw, err := shellconf.ReadFile(filepath.Join(fixtureDir, "motion.conf.dist"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), MotionFile)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	dist, err := shellconf.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range fw.Keys() {
		if _, ok := dist.Lookup(k); !ok {
			t.Errorf("firmware key %s: got missing from the dist, want present", k)
		}
	}
}

func TestMotionDecode(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  func(m *Motion) // changes to DefaultMotion
		errs  []string
		warns []string
	}{
		{name: "empty file", src: ""},
		{name: "whole frame", src: "region_of_interest=0,0,0,0\n"},
		{
			name: "regions, exclusions and tuning",
			src: "region_of_interest='0,0,640,360, 640,360,1280,720'\nmotion_exclude=10,20,30,40\nmotion_sensitivity=-1\n" +
				"motion_indicator_color=-1\nmotion_timeout=30\nmotion_detection=off\nmotion_tracking=on\nnight_mode_event_delay=0\n" +
				"debug_msg_enable=true\nmotion_min_frames=1\nmotion_event_gap=0.5\nmotion_light_change=0.3\nmotion_max_changed=1\nmotion_fps=10\n",
			want: func(m *Motion) {
				m.Regions = []image.Rectangle{image.Rect(0, 0, 640, 360), image.Rect(640, 360, 1280, 720)}
				m.Exclude = []image.Rectangle{image.Rect(10, 20, 30, 40)}
				m.Sensitivity, m.IndicatorColor, m.Timeout, m.Detection, m.Tracking = -1, -1, 30*time.Second, false, true
				m.NightDelay, m.Debug, m.MinFrames, m.EventGap = 0, true, 1, 500*time.Millisecond
				m.LightChange, m.MaxChanged, m.FPS = 0.3, 1, 10
			},
		},
		{name: "exclude 0,0,0,0 is none", src: "motion_exclude=0,0,0,0\n"},
		{name: "rectangle with x1 <= x0", src: "region_of_interest=0,0,10,10,20,0,20,10\n",
			errs: []string{`motion.conf:1: region_of_interest: rectangle 2 (20,0,20,10): x1 (20) must be greater than x0 (20)`}},
		{name: "rectangle with y1 <= y0", src: "\nmotion_exclude=0,50,10,40\n",
			errs: []string{`motion.conf:2: motion_exclude: rectangle 1 (0,50,10,40): y1 (40) must be greater than y0 (50)`}},
		{name: "not four numbers", src: "region_of_interest=0,0,10\n",
			errs: []string{`motion.conf:1: region_of_interest: must be rectangles x0,y0,x1,y1 (4 numbers each), got 3 numbers`}},
		{name: "negative coordinate", src: "region_of_interest=0,-5,10,10\n",
			errs: []string{`motion.conf:1: region_of_interest: rectangle 1: "-5" is not a pixel coordinate`}},
		{name: "whole frame with others", src: "region_of_interest=0,0,0,0,1,1,5,5\n",
			errs: []string{`motion.conf:1: region_of_interest: 0,0,0,0 means the whole frame and cannot be combined`}},
		{name: "too many rectangles", src: "region_of_interest=" + strings.Repeat("0,0,1,1,", 52) + "0,0,1,1\n",
			errs: []string{`motion.conf:1: region_of_interest: at most 52 rectangles (got 53)`}},
		{name: "bad values", src: "motion_sensitivity=5\nmotion_indicator_color=8\nmotion_timeout=-2\nmotion_detection=maybe\n" +
			"motion_min_frames=0\nmotion_event_gap=0\nmotion_light_change=1.5\nmotion_max_changed=0\nmotion_fps=0\nnight_mode_event_delay=soon\n",
			errs: []string{
				`motion.conf:1: motion_sensitivity: must be between -1 and 4 (got "5")`,
				`motion.conf:2: motion_indicator_color: must be between -1 and 7 (got "8")`,
				`motion.conf:3: motion_timeout: must be a number of seconds from 0 to 86400, or -1 for never (got "-2")`,
				`motion.conf:4: motion_detection: must be true or false (got "maybe")`,
				`motion.conf:5: motion_min_frames: must be between 1 and 1000 frames (got "0")`,
				`motion.conf:6: motion_event_gap: must be greater than 0 and at most 3600 seconds (got "0")`,
				`motion.conf:7: motion_light_change: must be a share of the picture, more than 0 and at most 1`,
				`motion.conf:8: motion_max_changed: must be a share of the picture`,
				`motion.conf:9: motion_fps: must be between 1 and 60 frames per second (got "0")`,
				`motion.conf:10: night_mode_event_delay: must be a number of seconds (got "soon")`,
			}},
		{name: "action keys are known", src: "send_telegram=true\nftp_password=\"x\"\nsmb_video=false\nmotion_trigger_led=false\n",
			want: func(m *Motion) { m.Actions.SendTelegram, m.Actions.TriggerLED, m.FTP.Password = true, false, "x" }},
		{name: "unknown key", src: "motion_area=1\n", warns: []string{`motion.conf:1: motion_area: unknown key`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs, warns := decodeMotion(t, tc.src)
			want := DefaultMotion()
			if tc.want != nil {
				tc.want(&want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			matchIssues(t, "errors", errs, tc.errs)
			matchIssues(t, "warnings", warns, tc.warns)
		})
	}
}

func TestMotionEnabled(t *testing.T) {
	for _, tc := range []struct {
		detection   bool
		sensitivity int
		want        bool
	}{{true, 2, true}, {true, 0, true}, {true, -1, false}, {false, 4, false}} {
		m := Motion{Detection: tc.detection, Sensitivity: tc.sensitivity}
		if got := m.Enabled(); got != tc.want {
			t.Errorf("Detection %t Sensitivity %d: got %t, want %t", tc.detection, tc.sensitivity, got, tc.want)
		}
	}
}

func TestMotionWriteText(t *testing.T) {
	var b strings.Builder
	m := DefaultMotion()
	m.Regions = []image.Rectangle{image.Rect(0, 0, 640, 360), image.Rect(1, 2, 3, 4)}
	m.writeText(&b)
	want := "\n[motion.conf]\nmotion_detection=on\nmotion_sensitivity=2\nregion_of_interest=0,0,640,360,1,2,3,4\nmotion_indicator_color=2\n" +
		"motion_timeout=-1\nmotion_tracking=off\nnight_mode_event_delay=30\ndebug_msg_enable=false\nmotion_exclude=(none)\n" +
		"motion_min_frames=2\nmotion_event_gap=2\nmotion_light_change=0.5\nmotion_max_changed=0.8\nmotion_fps=5\n" +
		"motion_trigger_led=true\npublish_mqtt_message=false\npublish_mqtt_snapshot=false\npublish_mqtt_video=false\nsend_email=false\nsend_telegram=false\nsend_matrix=false\nsave_snapshot=false\nsave_video=false\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
