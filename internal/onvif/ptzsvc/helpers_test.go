package ptzsvc

import (
	"encoding/xml"
	"fmt"
	"github.com/freecam/freecam/internal/onvif/soap/soaptest"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/motor"
	"github.com/freecam/freecam/internal/hal/ptz"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var limits = hal.Position{X: motor.DefaultMaxX, Y: motor.DefaultMaxY}

// fixture is a Service over the simulated motor (real 1.3 ms steps; run
// move tests inside synctest so they take no wall time).
type fixture struct {
	s       *Service
	m       *motor.Controller
	drv     *motor.SimDriver
	presets *ptz.Presets
	path    string
}

type fixtureOpts struct {
	start     hal.Position
	noPresets bool
	stepTime  time.Duration
}

func newFixture(t testing.TB, o fixtureOpts) *fixture {
	t.Helper()
	f := &fixture{}
	f.drv = motor.NewSimDriver(motor.SimOptions{Start: o.start, StepTime: o.stepTime})
	f.m = motor.NewController(f.drv, motor.Options{Start: o.start})
	if !o.noPresets {
		f.path = filepath.Join(t.TempDir(), ptz.File)
		p, _, err := ptz.Load(f.path, limits)
		if err != nil {
			t.Fatal(err)
		}
		f.presets = p
	}
	s, err := New(Options{Motor: f.m, Presets: f.presets})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	t.Cleanup(s.Close)
	return f
}

// envelope is a SOAP 1.2 request with the operation in the tptz namespace.
func envelope(op, inner string) string {
	return soaptest.Envelope("tptz", "http://www.onvif.org/ver20/ptz/wsdl", op, inner)
}

// call runs one operation through the Service as the dispatcher would (an
// admin, after authentication) and returns the HTTP status and body.
func (f *fixture) call(t testing.TB, op, inner string) (int, []byte) {
	t.Helper()
	return f.raw(t, envelope(op, inner))
}

func (f *fixture) raw(t testing.TB, env string) (int, []byte) {
	t.Helper()
	return soaptest.Serve(t, f.s, "/onvif/ptz_service", env)
}

// ok runs an operation that must succeed and decodes its response into v
// (nil: only the status is checked).
func (f *fixture) ok(t testing.TB, op, inner string, v any) {
	t.Helper()
	code, body := f.call(t, op, inner)
	if code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200: %s", op, code, body)
	}
	if v != nil {
		decodeBody(t, body, v)
	}
}

// decodeBody unmarshals the first element of the response Body into v
// (matched by local names).
func decodeBody(t testing.TB, data []byte, v any) {
	t.Helper()
	var env struct {
		Body struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(data, &env); err != nil {
		t.Fatalf("response is not XML: %v: %s", err, data)
	}
	if err := xml.Unmarshal(env.Body.Inner, v); err != nil {
		t.Fatalf("decode response body: %v: %s", err, env.Body.Inner)
	}
}

// faultCodes returns the fault's code and subcode values, outermost first.
func faultCodes(t testing.TB, data []byte) []string {
	t.Helper()
	type sub struct {
		Value   string `xml:"Value"`
		Subcode *sub   `xml:"Subcode"`
	}
	var f struct {
		Code sub `xml:"Code"`
	}
	if err := xml.Unmarshal(innerBody(t, data), &f); err != nil {
		t.Fatalf("decode fault: %v: %s", err, data)
	}
	var out []string
	for c := &f.Code; c != nil; c = c.Subcode {
		out = append(out, c.Value)
	}
	return out
}

func innerBody(t testing.TB, data []byte) []byte {
	t.Helper()
	var env struct {
		Body struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(data, &env); err != nil {
		t.Fatalf("response is not XML: %v: %s", err, data)
	}
	return env.Body.Inner
}

// status is a decoded GetStatusResponse.
type status struct {
	PTZStatus struct {
		Position struct {
			PanTilt struct {
				X     *float64 `xml:"x,attr"`
				Y     *float64 `xml:"y,attr"`
				Space string   `xml:"space,attr"`
			} `xml:"PanTilt"`
			Zoom *struct{} `xml:"Zoom"`
		} `xml:"Position"`
		MoveStatus struct {
			PanTilt string `xml:"PanTilt"`
		} `xml:"MoveStatus"`
		UtcTime string `xml:"UtcTime"`
	} `xml:"PTZStatus"`
}

const profile = `<tptz:ProfileToken>Profile_1</tptz:ProfileToken>`

func (f *fixture) status(t testing.TB) status {
	t.Helper()
	var st status
	f.ok(t, "GetStatus", profile, &st)
	return st
}

// waitIdle polls GetStatus until IDLE (inside synctest the sleeps advance
// the fake clock; the deadline is a minute of it).
func (f *fixture) waitIdle(t testing.TB) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if f.status(t).PTZStatus.MoveStatus.PanTilt == "IDLE" {
			return
		}
	}
	t.Fatal("still MOVING after a minute")
}

func panTilt(x, y float64, space string) string {
	sp := ""
	if space != "" {
		sp = ` space="` + space + `"`
	}
	return fmt.Sprintf(`<tt:PanTilt x="%g" y="%g"%s/>`, x, y, sp)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// synctestSleep advances the fake clock of a synctest bubble by 50 ms.
func synctestSleep() { time.Sleep(50 * time.Millisecond) }
