package ptzsvc

import (
	"net/http"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
)

type wirePresets struct {
	Presets []struct {
		Token    string `xml:"token,attr"`
		Name     string `xml:"Name"`
		Position struct {
			PanTilt struct {
				X float64 `xml:"x,attr"`
				Y float64 `xml:"y,attr"`
			} `xml:"PanTilt"`
		} `xml:"PTZPosition"`
	} `xml:"Preset"`
}

// reload reads the presets file again, as the next start would.
func (f *fixture) reload(t *testing.T) []ptz.Preset {
	t.Helper()
	p, warns, err := ptz.Load(f.path, limits)
	if err != nil || len(warns) != 0 {
		t.Fatalf("reload: %v %v", warns, err)
	}
	return p.List()
}

func TestPresetsRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		door := hal.Position{X: 650, Y: 525}
		f := newFixture(t, fixtureOpts{start: door})

		var set struct {
			Token string `xml:"PresetToken"`
		}
		f.ok(t, "SetPreset", profile+`<tptz:PresetName>door</tptz:PresetName>`, &set)
		if set.Token != "door" {
			t.Errorf("got token %q, want door", set.Token)
		}
		if got, want := f.reload(t), []ptz.Preset{{Name: "door", Position: door}}; !slices.Equal(got, want) {
			t.Errorf("file: got %v, want %v", got, want)
		}
		var list wirePresets
		f.ok(t, "GetPresets", profile, &list)
		if len(list.Presets) != 1 || list.Presets[0].Token != "door" || list.Presets[0].Name != "door" ||
			list.Presets[0].Position.PanTilt.X != -0.5 || list.Presets[0].Position.PanTilt.Y != 0.5 {
			t.Errorf("got %+v, want door at -0.5,0.5", list.Presets)
		}

		code, body := f.call(t, "SetPreset", profile+`<tptz:PresetName>door</tptz:PresetName>`)
		if got, want := faultCodes(t, body), []string{"env:Sender", "ter:InvalidArgVal", "ter:PresetExist"}; code != http.StatusBadRequest || !slices.Equal(got, want) {
			t.Errorf("existing name: got %d %v, want 400 %v", code, got, want)
		}

		// Elsewhere, then back to the preset.
		f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(1, -1, "")+`</tptz:Position>`, nil)
		f.waitIdle(t)
		f.ok(t, "GotoPreset", profile+`<tptz:PresetToken>door</tptz:PresetToken>`, nil)
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "MOVING" {
			t.Errorf("after GotoPreset: got %s, want MOVING", got)
		}
		f.waitIdle(t)
		if got := f.drv.True(); got != door {
			t.Errorf("got %v after GotoPreset, want %v", got, door)
		}

		// Update by token at a new position, renaming it.
		f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(0, 0, "")+`</tptz:Position>`, nil)
		f.waitIdle(t)
		set.Token = ""
		f.ok(t, "SetPreset", profile+`<tptz:PresetName>gate</tptz:PresetName><tptz:PresetToken>door</tptz:PresetToken>`, &set)
		centre := hal.Position{X: 1300, Y: 350}
		if got, want := f.reload(t), []ptz.Preset{{Name: "gate", Position: centre}}; set.Token != "gate" || !slices.Equal(got, want) {
			t.Errorf("rename: got token %q file %v, want gate and %v", set.Token, got, want)
		}

		// No name: the service picks one.
		set.Token = ""
		f.ok(t, "SetPreset", profile, &set)
		if set.Token != "preset_1" {
			t.Errorf("got token %q, want preset_1", set.Token)
		}

		f.ok(t, "RemovePreset", profile+`<tptz:PresetToken>gate</tptz:PresetToken>`, nil)
		if got, want := f.reload(t), []ptz.Preset{{Name: "preset_1", Position: centre}}; !slices.Equal(got, want) {
			t.Errorf("after remove: got %v, want %v", got, want)
		}
		code, body = f.call(t, "GotoPreset", profile+`<tptz:PresetToken>gate</tptz:PresetToken>`)
		if got, want := faultCodes(t, body), []string{"env:Sender", "ter:InvalidArgVal", "ter:NoToken"}; code != http.StatusBadRequest || !slices.Equal(got, want) {
			t.Errorf("removed preset: got %d %v, want 400 %v", code, got, want)
		}
	})
}

func TestSetPresetWhileMoving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(1, 0, "")+`</tptz:Velocity>`, nil)
		code, body := f.call(t, "SetPreset", profile+`<tptz:PresetName>door</tptz:PresetName>`)
		if got, want := faultCodes(t, body), []string{"env:Receiver", "ter:Action", "ter:MovingPTZ"}; code != http.StatusInternalServerError || !slices.Equal(got, want) {
			t.Errorf("got %d %v, want 500 %v", code, got, want)
		}
	})
}

func TestHomePosition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 100, Y: 100}})
		// No home preset: the centre.
		f.ok(t, "GotoHomePosition", profile, nil)
		f.waitIdle(t)
		if got, want := f.drv.True(), (hal.Position{X: 1300, Y: 350}); got != want {
			t.Errorf("home without a preset: got %v, want %v", got, want)
		}
		f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(-0.5, 0.5, "")+`</tptz:Position>`, nil)
		f.waitIdle(t)
		home := f.drv.True()
		f.ok(t, "SetHomePosition", profile, nil)
		if got, want := f.reload(t), []ptz.Preset{{Name: HomePreset, Position: home}}; !slices.Equal(got, want) {
			t.Errorf("file: got %v, want %v", got, want)
		}
		f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(1, 1, "")+`</tptz:Position>`, nil)
		f.waitIdle(t)
		f.ok(t, "GotoHomePosition", profile, nil)
		f.waitIdle(t)
		if got := f.drv.True(); got != home {
			t.Errorf("got %v, want home %v", got, home)
		}
	})
}

func TestNoPresets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 100, Y: 100}, noPresets: true})
		var list wirePresets
		f.ok(t, "GetPresets", profile, &list)
		if len(list.Presets) != 0 {
			t.Errorf("got %d presets, want none", len(list.Presets))
		}
		var nodes struct {
			Node wireNode `xml:"PTZNode"`
		}
		f.ok(t, "GetNodes", "", &nodes)
		if nodes.Node.MaxPresets != 0 {
			t.Errorf("got MaximumNumberOfPresets %d, want 0", nodes.Node.MaxPresets)
		}
		for _, op := range []string{"SetPreset", "SetHomePosition"} {
			code, body := f.call(t, op, profile)
			if got := faultCodes(t, body); code != http.StatusInternalServerError || len(got) != 3 || got[1] != "ter:Action" {
				t.Errorf("%s: got %d %v, want a Receiver ter:Action fault", op, code, got)
			}
		}
		code, body := f.call(t, "GotoPreset", profile+`<tptz:PresetToken>home</tptz:PresetToken>`)
		if got := faultCodes(t, body); code != http.StatusBadRequest || got[len(got)-1] != "ter:NoToken" {
			t.Errorf("GotoPreset: got %d %v, want NoToken", code, got)
		}
		f.ok(t, "GotoHomePosition", profile, nil)
		f.waitIdle(t)
		if got, want := f.drv.True(), (hal.Position{X: 1300, Y: 350}); got != want {
			t.Errorf("home: got %v, want %v", got, want)
		}
	})
}
