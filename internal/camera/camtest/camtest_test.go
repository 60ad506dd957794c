package camtest

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/service"
)

func TestPicture(t *testing.T) {
	c := New()
	rec := httptest.NewRecorder()
	c.CurrentPic().ServeHTTP(rec, httptest.NewRequest("GET", "/cgi-bin/currentpic.cgi", nil))
	if got := rec.Header().Get("Content-Type"); got != "image/jpeg" {
		t.Errorf("Content-Type: got %q, want image/jpeg", got)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if cfg.Width != PicWidth || cfg.Height != PicHeight {
		t.Errorf("size: got %dx%d, want %dx%d", cfg.Width, cfg.Height, PicWidth, PicHeight)
	}

	rec = httptest.NewRecorder()
	c.MJPEG().ServeHTTP(rec, httptest.NewRequest("GET", "/mjpeg?frames=2", nil))
	if got, want := bytes.Count(rec.Body.Bytes(), []byte("--"+MJPEGBoundary+"\r\n")), 2; got != want {
		t.Errorf("MJPEG parts: got %d, want %d", got, want)
	}
}

func TestSwitchesAndNight(t *testing.T) {
	ctx := context.Background()
	c := New()
	if !c.Night().Auto {
		t.Fatalf("auto night at start: got false, want true")
	}
	if err := c.SetSwitch(ctx, camera.YellowLED, true); err != nil {
		t.Fatal(err)
	}
	if !c.Hardware().YellowLED {
		t.Errorf("yellow led: got off, want on")
	}
	if err := c.SetSwitch(ctx, camera.IRLED, true); err != nil {
		t.Fatal(err)
	}
	if c.Night().Auto {
		t.Errorf("auto night after setting the IR LED: got on, want off")
	}
	if err := c.SetNightMode(ctx, camera.Night); err != nil {
		t.Fatal(err)
	}
	if hw := c.Hardware(); !c.Night().Night || hw.IRCutDay || !hw.IRLED {
		t.Errorf("night: got night=%v ircutday=%v irled=%v, want true false true", c.Night().Night, hw.IRCutDay, hw.IRLED)
	}
	if err := c.SetNightMode(ctx, camera.Auto); err != nil {
		t.Fatal(err)
	}
	if st := c.Services()[1]; st.Name != "auto-night" || st.State != service.Running {
		t.Errorf("auto-night service: got %s %s, want auto-night running", st.Name, st.State)
	}
	want := []string{"SetSwitch yellow_led on", "SetSwitch ir_led on", "SetNightMode night", "SetNightMode auto"}
	if got := c.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls: got %q, want %q", got, want)
	}
}

func TestMotor(t *testing.T) {
	ctx := context.Background()
	c := New()
	m, err := c.Move(ctx, 5000, -100)
	if err != nil {
		t.Fatal(err)
	}
	if want := (hal.Position{X: MaxX, Y: MaxY/2 - 100}); m.To != want || !m.Clamped {
		t.Errorf("move: got %+v clamped=%v, want %+v clamped", m.To, m.Clamped, want)
	}
	hw := c.Hardware()
	hw.HasMotor = false
	c.SetHardware(hw)
	if _, err := c.MoveTo(ctx, hal.Position{}); !errors.Is(err, ErrNoPart) {
		t.Errorf("move without motor: got %v, want ErrNoPart", err)
	}
}

func TestServiceControl(t *testing.T) {
	ctx := context.Background()
	c := New()
	tests := []struct {
		name, action string
		wantErr      bool
	}{
		{"motion", "start", false},
		{"recording", "enable", false},
		{"nosuch", "start", true},
		{"rtsp", "explode", true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"_"+tt.action, func(t *testing.T) {
			err := c.ServiceControl(ctx, tt.name, tt.action)
			if (err != nil) != tt.wantErr {
				t.Errorf("got err %v, want error %v", err, tt.wantErr)
			}
		})
	}
	if !c.Motion().Enabled {
		t.Errorf("motion enabled after start: got false, want true")
	}
	if !c.Services()[3].Autostart {
		t.Errorf("recording autorun after enable: got false, want true")
	}
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	c, err := NewIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.Apply(dir, conf.Edits{"motion.conf": {"motion_sensitivity": "4"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := c.Config().Motion.Sensitivity; got != 4 {
		t.Errorf("sensitivity after reload: got %d, want 4", got)
	}
	if err := writeFile(filepath.Join(dir, "motion.conf"), "motion_sensitivity=9\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.Reload(); err == nil {
		t.Errorf("reload of a bad file: got nil, want an error")
	}
	if got := c.Config().Motion.Sensitivity; got != 4 {
		t.Errorf("sensitivity after refused reload: got %d, want 4 (kept)", got)
	}
}
