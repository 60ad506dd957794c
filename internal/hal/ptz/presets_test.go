package ptz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/motor"
)

var limits = hal.Position{X: motor.DefaultMaxX, Y: motor.DefaultMaxY}

const fixture = "../../../../shared/fixtures/dafang-config/ptz_presets.conf.dist"

func TestLoadFirmwareDist(t *testing.T) {
	p, warns, err := Load(fixture, limits)
	if err != nil {
		t.Fatal(err)
	}
	want := []Preset{
		{"bottom", hal.Position{X: 1400, Y: 0}},
		{"home", hal.Position{X: 1400, Y: 350}},
		{"left", hal.Position{X: 0, Y: 350}},
		{"right", hal.Position{X: 2800, Y: 350}},
		{"top", hal.Position{X: 1400, Y: 700}},
	}
	if got := p.List(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), `ptz_presets.conf.dist: preset "right": position x 2800, y 350 is outside 0–2600, 0–700`) {
		t.Errorf("got warnings %v, want one about right at x 2800", warns)
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	p, _, err := Load(path, limits) // missing: empty
	if err != nil || len(p.List()) != 0 {
		t.Fatalf("got %v, %v, want no presets", p.List(), err)
	}
	if err := p.Set("door", hal.Position{X: 100, Y: 600}); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("desk", hal.Position{X: 2600, Y: 0}); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("gone", hal.Position{X: 1, Y: 1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove("gone"); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	q, warns, err := Load(path, limits)
	if err != nil || len(warns) != 0 {
		t.Fatalf("reload: %v %v", err, warns)
	}
	want := []Preset{{"desk", hal.Position{X: 2600, Y: 0}}, {"door", hal.Position{X: 100, Y: 600}}}
	if got := q.List(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"presets": {`) || !strings.Contains(string(data), `"x": 100`) {
		t.Errorf("got file %s, want the firmware's shape", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("got %d files in the directory, want only %s (no temporary left)", len(entries), File)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, text, want string }{
		{"bad JSON", "{\n \"presets\": {\n  \"home\": {\"x\": 1,}\n }\n}", "ptz_presets.conf: line 3: not valid JSON"},
		{"string coordinate", `{"presets": {"home": {"x": "1400", "y": 350}}}`, `ptz_presets.conf: preset "home": must be {"x": steps, "y": steps}`},
		{"missing y", `{"presets": {"home": {"x": 1400}}}`, `preset "home": must be`},
		{"fraction", `{"presets": {"home": {"x": 1400.5, "y": 3}}}`, `preset "home": must be`},
		{"presets not an object", `{"presets": [1, 2]}`, "ptz_presets.conf: not valid presets JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, File)
			os.WriteFile(path, []byte(tc.text), 0o644)
			_, _, err := Load(path, limits)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	p, _, _ := Load(filepath.Join(dir, "none"), limits)
	if err := p.Set("far", hal.Position{X: 2601, Y: 0}); err == nil || !strings.Contains(err.Error(), "outside 0–2600") {
		t.Errorf("got %v, want an out-of-limits error", err)
	}
	for _, good := range []string{"Front door", "Entrée", "门", "door-2.b"} {
		if err := p.Set(good, hal.Position{}); err != nil {
			t.Errorf("Set(%q): got %v, want it accepted (NVRs let users type such names)", good, err)
		}
	}
	for _, bad := range []string{"", " door", "door ", "a\tb", "a/b", "a\"b", strings.Repeat("x", 65), "bad\xffutf8"} {
		if err := p.Set(bad, hal.Position{}); err == nil {
			t.Errorf("Set(%q): got no error", bad)
		}
	}
	if err := p.Remove("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func TestGoTo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _, err := Load(fixture, limits)
		if err != nil {
			t.Fatal(err)
		}
		m := motor.NewController(motor.NewSimDriver(motor.SimOptions{}), motor.Options{})
		mv, err := p.GoTo(context.Background(), m, "home")
		if err != nil || mv.To != (hal.Position{X: 1400, Y: 350}) || mv.Clamped {
			t.Errorf("got %+v, %v, want at home", mv, err)
		}
		mv, err = p.GoTo(context.Background(), m, "right")
		if err != nil || mv.To != (hal.Position{X: 2600, Y: 350}) || !mv.Clamped {
			t.Errorf("got %+v, %v, want clamped at 2600", mv, err)
		}
		if _, err := p.GoTo(context.Background(), m, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}
