package synthetic

import (
	"image"
	"testing"

	"github.com/freecam/freecam/internal/media"
)

// whole is the full 160×120 picture.
var whole = image.Rect(0, 0, 160, 120)

func TestSceneFollowsTheLightLevel(t *testing.T) {
	s := New(Options{Width: 160, Height: 120, Seed: 1})
	f := media.NewRawFrame(160, 120)
	s.Render(f, 0)
	day := meanLuma(f, whole)

	s.SetLight(100)
	s.Render(f, 0)
	if dusk := meanLuma(f, whole); dusk > day*0.55 || dusk < day*0.45 {
		t.Errorf("got mean luma %.1f at half light, want about half of daylight's %.1f", dusk, day)
	}
	s.SetLight(10)
	s.Render(f, 0)
	dark := meanLuma(f, whole)
	if dark > 15 {
		t.Errorf("got mean luma %.1f at light 10, want a dark picture (< 15)", dark)
	}

	// In the night look the IR picture brightens as ambient light returns (dawn).
	s.SetNight(true)
	s.Render(f, 0)
	nightDark := meanLuma(f, whole)
	s.SetLight(150)
	s.Render(f, 0)
	if nightDawn := meanLuma(f, whole); nightDawn < nightDark+15 {
		t.Errorf("got night-look luma %.1f at dawn vs %.1f in the dark, want at least 15 brighter", nightDawn, nightDark)
	}

	s.SetNight(false)
	s.SetLight(-1)
	s.Render(f, 0)
	if got := meanLuma(f, whole); got != day {
		t.Errorf("got mean luma %.1f back at full light, want the daylight picture's %.1f exactly", got, day)
	}
}
