package conf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAutoNightFirmwareFixtureLoads(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixtureDir, "autonight.conf.dist"))
	if err != nil {
		t.Fatal(err)
	}
	a, errs, warns := decodeAutoNight(t, string(src))
	if len(errs) != 0 {
		t.Fatalf("got errors %v, want none", errs)
	}
	want := DefaultAutoNight() // sw reads as virtual
	if a != want {
		t.Errorf("got %+v, want %+v", a, want)
	}
	if len(warns) != 2 ||
		!strings.HasPrefix(warns[0], "autonight.conf:1: autonight_mode: sw ") ||
		!strings.HasPrefix(warns[1], `autonight.conf:3: sw_parameters: freecam ignores -j 3 -w 3 -1 1200000 -2 930000,14,10 -3 3000,17,8:`) {
		t.Errorf("got warnings %q, want the sw mapping (line 1) and the ignored sw options (line 3)", warns)
	}
}

func TestAutoNightDistMatchesDefaults(t *testing.T) {
	src, ok := Dist(AutoNightFile)
	if !ok {
		t.Fatal("no built-in autonight.conf.dist")
	}
	a, errs, warns := decodeAutoNight(t, string(src))
	if len(errs) != 0 || len(warns) != 0 {
		t.Fatalf("got errors %v warnings %v, want none", errs, warns)
	}
	if want := DefaultAutoNight(); a != want {
		t.Errorf("got %+v, want the defaults %+v", a, want)
	}
}

func TestAutoNightDecode(t *testing.T) {
	hw := defaultAutoNightFor(NightModeHW)
	tests := []struct {
		name  string
		src   string
		want  func(a *AutoNight) // changes to DefaultAutoNight
		errs  []string
		warns []string
	}{
		{name: "empty file", src: ""},
		{name: "hw with the firmware's defaults", src: "autonight_mode=hw\nhw_parameters=\n", want: func(a *AutoNight) { *a = hw }},
		{
			name: "hw parameters",
			src:  "autonight_mode=hw\nhw_parameters='-O 30 -F35 -n 3 -d 5 -a 10 -v -D /dev/adc -c /bin/x'\nir_led_off=true\n",
			want: func(a *AutoNight) {
				*a = hw
				a.NightAt, a.DayAt, a.Window, a.Interval, a.Reads, a.IRLEDOff = 30, 35, 3, 5*time.Second, 10, true
			},
			warns: []string{`autonight.conf:2: hw_parameters: freecam ignores -D /dev/adc -c /bin/x:`},
		},
		{
			name: "freecam's keys win over hw_parameters",
			src:  "autonight_mode=hw\nhw_parameters='-O 30 -F 35'\nnight_at=20\nday_at=60\nleave_night_at=70\nsample_interval=2.5\nwindow=8\nconfirm=0\nmin_dwell=300\n",
			want: func(a *AutoNight) {
				*a = hw
				a.NightAt, a.DayAt, a.LeaveNightAt, a.Interval, a.Window, a.Confirm, a.MinDwell = 20, 60, 70, 2500*time.Millisecond, 8, 0, 5*time.Minute
			},
		},
		{name: "hw parameters unused in virtual mode", src: "autonight_mode=virtual\nhw_parameters='-O junk'\n"},
		{name: "off, any case", src: "autonight_mode=OFF\n", want: func(a *AutoNight) { *a = defaultAutoNightFor(NightModeOff) }},
		{name: "sim with ir_led_off", src: "ir_led_off=true\nautonight_mode=sim\n", want: func(a *AutoNight) {
			*a = defaultAutoNightFor(NightModeSim)
			a.IRLEDOff = true
		}},
		{name: "bad mode", src: "autonight_mode=auto\n", errs: []string{`autonight.conf:1: autonight_mode: must be virtual, hw, sim or off`}},
		{name: "bad option value", src: "autonight_mode=hw\nhw_parameters='-O dark'\n", want: func(a *AutoNight) { *a = hw },
			errs: []string{`autonight.conf:2: hw_parameters: option -O: the night threshold must be a number of 0 or more (got "dark")`}},
		{name: "unknown option", src: "autonight_mode=hw\nhw_parameters='-x 1'\n", want: func(a *AutoNight) { *a = hw },
			errs: []string{`autonight.conf:2: hw_parameters: unknown option -x`}},
		{name: "missing option value", src: "autonight_mode=hw\nhw_parameters='-n'\n", want: func(a *AutoNight) { *a = hw },
			errs: []string{`autonight.conf:2: hw_parameters: option -n needs a value`}},
		{name: "no hysteresis", src: "night_at=50\nday_at=50\n", want: func(a *AutoNight) { a.NightAt, a.DayAt = 50, 50 },
			errs: []string{`autonight.conf:2: day_at: day_at (50) must be above night_at (50)`}},
		{name: "night_at above the default day_at", src: "\n\nnight_at=60\n", want: func(a *AutoNight) { a.NightAt = 60 },
			errs: []string{`autonight.conf:3: night_at: day_at (55) must be above night_at (60)`}},
		{name: "bad numbers", src: "night_at=-1\nwindow=0\nmin_dwell=soon\nir_led_off=maybe\n", errs: []string{
			`autonight.conf:1: night_at: must be a light level`,
			`autonight.conf:2: window: must be between 1 and 100 samples (got "0")`,
			`autonight.conf:3: min_dwell: must be a number of seconds (got "soon")`,
			`autonight.conf:4: ir_led_off: must be true or false (got "maybe")`,
		}},
		{name: "unknown key", src: "night_mode=on\n", warns: []string{`autonight.conf:1: night_mode: unknown key`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs, warns := decodeAutoNight(t, tc.src)
			want := DefaultAutoNight()
			if tc.want != nil {
				tc.want(&want)
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			matchIssues(t, "errors", errs, tc.errs)
			matchIssues(t, "warnings", warns, tc.warns)
		})
	}
}

// matchIssues checks that got has one issue per want, in order, each starting with it.
func matchIssues(t *testing.T, what string, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func TestAutoNightWriteText(t *testing.T) {
	var b strings.Builder
	DefaultAutoNight().writeText(&b)
	want := "\n[autonight.conf]\nautonight_mode=virtual\nir_led_off=false\nnight_at=40\nday_at=55\nleave_night_at=(calibrated)\nsample_interval=10\nreads=1\nwindow=5\nconfirm=120\nmin_dwell=60\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
