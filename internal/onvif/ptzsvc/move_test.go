package ptzsvc

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/motor"
	"go.uber.org/goleak"
)

// TestFrigateAutotracking replays Frigate's sequence: the options must
// offer TranslationSpaceFov with finite ranges, GetStatus gives a position
// and MoveStatus, and a RelativeMove in the FOV space moves the expected
// steps while GetStatus reports MOVING, then IDLE.
func TestFrigateAutotracking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := hal.Position{X: 1300, Y: 350}
		f := newFixture(t, fixtureOpts{start: start})

		var opts struct {
			Options struct {
				Spaces wireSpaces `xml:"Spaces"`
			} `xml:"PTZConfigurationOptions"`
		}
		f.ok(t, "GetConfigurationOptions", `<tptz:ConfigurationToken>PTZConfig_1</tptz:ConfigurationToken>`, &opts)
		fov := slices.IndexFunc(opts.Options.Spaces.Relative, func(s wireSpace2D) bool { return s.URI == SpaceTranslationFov })
		if fov < 0 {
			t.Fatalf("got relative spaces %+v, want TranslationSpaceFov", opts.Options.Spaces.Relative)
		}
		if r := opts.Options.Spaces.Relative[fov]; math.IsInf(r.XRange.Min, 0) || math.IsInf(r.XRange.Max, 0) || r.XRange.Max <= r.XRange.Min || r.YRange == nil || r.YRange.Max <= r.YRange.Min {
			t.Fatalf("got FOV ranges %+v, want finite", r)
		}

		st := f.status(t)
		if p := st.PTZStatus.Position.PanTilt; p.X == nil || p.Y == nil || *p.X != 0 || *p.Y != 0 || p.Space != SpacePositionGeneric {
			t.Errorf("got position %+v, want 0,0 in the generic space (centre)", p)
		}
		if st.PTZStatus.MoveStatus.PanTilt != "IDLE" || st.PTZStatus.UtcTime == "" || st.PTZStatus.Position.Zoom != nil {
			t.Errorf("got %+v, want IDLE, a UtcTime and no zoom", st.PTZStatus)
		}

		// Frigate: Translation PanTilt in the FOV space, Zoom in the zoom
		// translation space, Speed 1.
		f.ok(t, "RelativeMove", profile+`<tptz:Translation>`+panTilt(0.5, -0.25, SpaceTranslationFov)+
			`<tt:Zoom x="0" space="http://www.onvif.org/ver10/tptz/ZoomSpaces/TranslationGenericSpace"/></tptz:Translation>`+
			`<tptz:Speed><tt:PanTilt x="1" y="1"/><tt:Zoom x="1"/></tptz:Speed>`, nil)
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "MOVING" {
			t.Errorf("right after RelativeMove: got %s, want MOVING", got)
		}
		f.waitIdle(t)
		// x 0.5 → FOV.X/4 = 150 steps right; y −0.25 → FOV.Y/8 = 42.5 → 43 steps down
		want := hal.Position{X: start.X + DefaultFOV.X/4, Y: start.Y - 43}
		if got := f.drv.True(); got != want {
			t.Errorf("got motor at %v, want %v", got, want)
		}
		p := f.status(t).PTZStatus.Position.PanTilt
		if wx, wy := toGeneric(want.X, limits.X), toGeneric(want.Y, limits.Y); *p.X != wx || *p.Y != wy {
			t.Errorf("got status position %g,%g, want %g,%g", *p.X, *p.Y, wx, wy)
		}
	})
}

func TestRelativeMove(t *testing.T) {
	cases := []struct {
		name    string
		start   hal.Position
		flipped bool
		pt      string
		want    hal.Position
	}{
		{"generic x 1 is half the range", hal.Position{X: 0, Y: 0}, false, panTilt(1, 1, SpaceTranslationGeneric), hal.Position{X: 1300, Y: 350}},
		{"no space is generic", hal.Position{X: 1300, Y: 350}, false, panTilt(-0.5, 0, ""), hal.Position{X: 650, Y: 350}},
		{"fov x -1 brings the left edge to the centre", hal.Position{X: 1300, Y: 350}, false, panTilt(-1, 1, SpaceTranslationFov), hal.Position{X: 1000, Y: 520}},
		{"clamped at the limit", hal.Position{X: 2500, Y: 350}, false, panTilt(1, 0, SpaceTranslationFov), hal.Position{X: 2600, Y: 350}},
		{"flip is the motor's business", hal.Position{X: 1300, Y: 350}, true, panTilt(0.5, 0, SpaceTranslationFov), hal.Position{X: 1150, Y: 350}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, fixtureOpts{start: tc.start})
				f.m.SetFlipped(tc.flipped)
				f.ok(t, "RelativeMove", profile+`<tptz:Translation>`+tc.pt+`</tptz:Translation>`, nil)
				f.waitIdle(t)
				if got := f.drv.True(); got != tc.want {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		})
	}
}

func TestAbsoluteMoveCorners(t *testing.T) {
	cases := []struct {
		x, y float64
		want hal.Position
	}{
		{-1, -1, hal.Position{X: 0, Y: 0}},
		{1, 1, hal.Position{X: limits.X, Y: limits.Y}},
		{-1, 1, hal.Position{X: 0, Y: limits.Y}},
		{1, -1, hal.Position{X: limits.X, Y: 0}},
		{0, 0, hal.Position{X: 1300, Y: 350}},
		{0.5, -0.5, hal.Position{X: 1950, Y: 175}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%g,%g", tc.x, tc.y), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, fixtureOpts{start: hal.Position{X: 700, Y: 200}})
				f.m.SetFlipped(true) // absolute moves are in the motor's frame
				f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(tc.x, tc.y, SpacePositionGeneric)+`</tptz:Position>`, nil)
				f.waitIdle(t)
				if got := f.drv.True(); got != tc.want {
					t.Errorf("got %v, want %v", got, tc.want)
				}
				p := f.status(t).PTZStatus.Position.PanTilt
				if *p.X != tc.x || *p.Y != tc.y {
					t.Errorf("got status %g,%g, want %g,%g", *p.X, *p.Y, tc.x, tc.y)
				}
			})
		})
	}
}

// TestHAContinuousThenStop replays Home Assistant's onvif.ptz
// ContinuousMove: zeep's ContinuousMove with PanTilt and Zoom, then after
// continuous_duration Stop{PanTilt: true, Zoom: false}.
func TestHAContinuousThenStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := hal.Position{X: 1300, Y: 350}
		f := newFixture(t, fixtureOpts{start: start})
		zeep := func(op, inner string) string {
			return `<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">http://www.onvif.org/ver20/ptz/wsdl/` + op + `</wsa:Action><wsa:MessageID>urn:uuid:5e8a1f0e-2c1d-4d0b-9a41-0f1c0b0a9d11</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">http://192.0.2.2:8080/onvif/ptz_service</wsa:To></soap-env:Header><soap-env:Body><ns0:` + op + ` xmlns:ns0="http://www.onvif.org/ver20/ptz/wsdl">` + inner + `</ns0:` + op + `></soap-env:Body></soap-env:Envelope>`
		}
		code, body := f.raw(t, zeep("ContinuousMove", `<ns0:ProfileToken>Profile_1</ns0:ProfileToken><ns0:Velocity><ns1:PanTilt xmlns:ns1="http://www.onvif.org/ver10/schema" x="-0.5" y="0.0"/><ns2:Zoom xmlns:ns2="http://www.onvif.org/ver10/schema" x="0.0"/></ns0:Velocity>`))
		if code != http.StatusOK {
			t.Fatalf("ContinuousMove: got %d: %s", code, body)
		}
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "MOVING" {
			t.Errorf("got %s, want MOVING", got)
		}
		time.Sleep(500 * time.Millisecond) // continuous_duration
		code, body = f.raw(t, zeep("Stop", `<ns0:ProfileToken>Profile_1</ns0:ProfileToken><ns0:PanTilt>true</ns0:PanTilt><ns0:Zoom>false</ns0:Zoom>`))
		if code != http.StatusOK {
			t.Fatalf("Stop: got %d: %s", code, body)
		}
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "IDLE" {
			t.Errorf("right after Stop: got %s, want IDLE", got)
		}
		stopped := f.drv.True()
		// 0.5 s at 1.3 ms a step is about 385 steps left.
		if moved := start.X - stopped.X; moved < 300 || moved > 400 || stopped.Y != start.Y {
			t.Errorf("got motor at %v after 0.5 s, want about 385 steps left of %v", stopped, start)
		}
		time.Sleep(2 * time.Second)
		if got := f.drv.True(); got != stopped {
			t.Errorf("got motor at %v 2 s after Stop, want still %v", got, stopped)
		}
	})
}

func TestContinuousMove(t *testing.T) {
	cases := []struct {
		name    string
		v       string
		timeout string
		after   time.Duration
		want    func(hal.Position) bool
		desc    string
	}{
		{"right until the limit", panTilt(1, 0, ""), "", 10 * time.Second,
			func(p hal.Position) bool { return p == hal.Position{X: limits.X, Y: 350} }, "at the right limit"},
		{"up and left until the corner", panTilt(-0.3, 0.3, SpaceVelocityGeneric), "", 10 * time.Second,
			func(p hal.Position) bool { return p == hal.Position{X: 0, Y: limits.Y} }, "at the top left corner"},
		{"timeout ends it", panTilt(1, 0, ""), "PT1S", 10 * time.Second,
			func(p hal.Position) bool { return p.X > 1300+700 && p.X < 1300+800 }, "about 770 steps right"},
		{"default timeout ends it", panTilt(0, -1, ""), "", time.Second,
			func(p hal.Position) bool { return p == hal.Position{X: 1300, Y: 0} }, "at the bottom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
				inner := profile + `<tptz:Velocity>` + tc.v + `</tptz:Velocity>`
				if tc.timeout != "" {
					inner += `<tptz:Timeout>` + tc.timeout + `</tptz:Timeout>`
				}
				f.ok(t, "ContinuousMove", inner, nil)
				f.waitIdle(t)
				if got := f.drv.True(); !tc.want(got) {
					t.Errorf("got %v, want %s", got, tc.desc)
				}
			})
		})
	}
}

func TestDiagonalIsDiagonal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(0.5, 0.5, "")+`</tptz:Velocity>`, nil)
		time.Sleep(time.Second)
		f.ok(t, "Stop", profile, nil)
		p := f.drv.True()
		if p.X <= 1300 || p.Y <= 350 {
			t.Errorf("got %v after a second up and right, want both axes moved", p)
		}
	})
}

func TestZeroVelocityStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(1, 0, "")+`</tptz:Velocity>`, nil)
		time.Sleep(200 * time.Millisecond)
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(0, 0, "")+`</tptz:Velocity>`, nil)
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "IDLE" {
			t.Errorf("got %s, want IDLE", got)
		}
		p := f.drv.True()
		time.Sleep(time.Second)
		if got := f.drv.True(); got != p || p.X == 1300 {
			t.Errorf("got %v then %v, want a move that stopped", p, got)
		}
	})
}

func TestStopZoomOnlyDoesNotStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(1, 0, "")+`</tptz:Velocity>`, nil)
		f.ok(t, "Stop", profile+`<tptz:PanTilt>false</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom>`, nil)
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "MOVING" {
			t.Errorf("got %s, want MOVING (only zoom was stopped)", got)
		}
		f.ok(t, "Stop", profile, nil)
		if got := f.status(t).PTZStatus.MoveStatus.PanTilt; got != "IDLE" {
			t.Errorf("got %s after Stop without flags, want IDLE", got)
		}
	})
}

// TestNewMoveReplacesRunning: one move at a time, the newest wins.
func TestNewMoveReplacesRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureOpts{start: hal.Position{X: 1300, Y: 350}})
		f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(1, 1, "")+`</tptz:Velocity>`, nil)
		time.Sleep(300 * time.Millisecond)
		f.ok(t, "AbsoluteMove", profile+`<tptz:Position>`+panTilt(-1, -1, "")+`</tptz:Position>`, nil)
		f.waitIdle(t)
		if got := f.drv.True(); got != (hal.Position{}) {
			t.Errorf("got %v, want 0,0 (the absolute move replaced the continuous one)", got)
		}
	})
}

// TestCloseStopsAndLeavesNoGoroutine runs in real time (short steps) so
// that goleak sees the real goroutines.
func TestCloseStopsAndLeavesNoGoroutine(t *testing.T) {
	before := goleak.IgnoreCurrent()
	drv := motor.NewSimDriver(motor.SimOptions{Start: hal.Position{X: 1300, Y: 350}, StepTime: 10 * time.Millisecond})
	m := motor.NewController(drv, motor.Options{Start: hal.Position{X: 1300, Y: 350}})
	s, err := New(Options{Motor: m})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, m: m, drv: drv}
	f.ok(t, "ContinuousMove", profile+`<tptz:Velocity>`+panTilt(1, 0, "")+`</tptz:Velocity>`, nil)
	if !s.moving() {
		t.Fatal("got no move running, want one")
	}
	s.Close()
	if s.moving() {
		t.Error("got a move running after Close, want none")
	}
	p := drv.True()
	if p.X >= limits.X {
		t.Fatalf("got %v, want the move stopped before the limit", p)
	}
	code, body := f.call(t, "RelativeMove", profile+`<tptz:Translation>`+panTilt(0.1, 0, "")+`</tptz:Translation>`)
	if code != http.StatusInternalServerError || !strings.Contains(string(body), "closed") {
		t.Errorf("move after Close: got %d %s, want a Receiver fault", code, body)
	}
	s.Close() // twice is fine
	if err := goleak.Find(before); err != nil {
		t.Error(err)
	}
	if got := drv.True(); got != p {
		t.Errorf("got motor at %v after Close, want still %v", got, p)
	}
}
