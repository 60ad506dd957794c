package imaging

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

func TestNewRequires(t *testing.T) {
	night := func() (bool, bool) { return false, false }
	set := func(context.Context, string) error { return nil }
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"Night", Options{SetNight: set}},
		{"SetNight", Options{Night: night}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.name) {
				t.Errorf("got %v, want an error naming %s", err, c.name)
			}
		})
	}
	if _, err := New(Options{Night: night, SetNight: set}); err != nil {
		t.Errorf("New with the required options: %v", err)
	}
}

func TestAccess(t *testing.T) {
	s := newFixture(t).s
	for _, c := range []struct {
		op   string
		want soap.Access
		ok   bool
	}{
		{"GetServiceCapabilities", soap.Open, true},
		{"GetImagingSettings", soap.Viewer, true},
		{"GetOptions", soap.Viewer, true},
		{"GetMoveOptions", soap.Viewer, true},
		{"GetStatus", soap.Viewer, true},
		{"SetImagingSettings", soap.Admin, true},
		{"Move", 0, false},
		{"Stop", 0, false},
		{"GetPresets", 0, false},
		{"SetCurrentPreset", 0, false},
	} {
		t.Run(c.op, func(t *testing.T) {
			a, ok := s.Access(c.op)
			if ok != c.ok || (ok && a != c.want) {
				t.Errorf("got %v %v, want %v %v", a, ok, c.want, c.ok)
			}
		})
	}
}

func TestGetServiceCapabilities(t *testing.T) {
	f := newFixture(t)
	caps := f.call(t, "GetServiceCapabilities", "").ok(t, "GetServiceCapabilities").Get("Capabilities")
	if caps == nil || caps.XMLName.Space != soap.NSImaging {
		t.Fatalf("got %v, want timg:Capabilities", caps)
	}
	for _, a := range []string{"ImageStabilization", "Presets", "AdaptablePreset"} {
		if got := caps.Attr(a); got != "false" {
			t.Errorf("@%s: got %q, want \"false\"", a, got)
		}
	}
}

func TestGetImagingSettings(t *testing.T) {
	for _, c := range []struct {
		name        string
		night, auto bool
		want        string
	}{
		{"day", false, false, "ON"},
		{"night", true, false, "OFF"},
		{"auto by day", false, true, "AUTO"},
		{"auto at night", true, true, "AUTO"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.cam.night, f.cam.auto = c.night, c.auto
			set := f.call(t, "GetImagingSettings", source).ok(t, "GetImagingSettings").Get("ImagingSettings")
			if set == nil || set.XMLName.Space != soap.NSImaging {
				t.Fatalf("got %v, want timg:ImagingSettings", set)
			}
			// Only the IR-cut filter: every optional setting the camera does not have is left out.
			if got := names(set); !slices.Equal(got, []string{"tt:IrCutFilter"}) {
				t.Errorf("settings: got %v, want [tt:IrCutFilter]", got)
			}
			if got := strings.TrimSpace(set.Get("IrCutFilter").Text); got != c.want {
				t.Errorf("IrCutFilter: got %q, want %q", got, c.want)
			}
			if m := f.cam.modes(); len(m) != 0 {
				t.Errorf("a read set the night mode: %v", m)
			}
		})
	}
}

// TestWrongSource: every operation on a video source names it, and any but
// VideoSource_1 is ter:NoSource.
func TestWrongSource(t *testing.T) {
	for _, op := range []string{"GetImagingSettings", "SetImagingSettings", "GetOptions", "GetMoveOptions", "GetStatus"} {
		for _, c := range []struct{ name, inner string }{
			{"other", `<timg:VideoSourceToken>VideoSource_2</timg:VideoSourceToken><timg:ImagingSettings><tt:IrCutFilter>OFF</tt:IrCutFilter></timg:ImagingSettings>`},
			{"missing", `<timg:ImagingSettings><tt:IrCutFilter>OFF</tt:IrCutFilter></timg:ImagingSettings>`},
			{"profile token", `<timg:VideoSourceToken>Profile_1</timg:VideoSourceToken>`},
		} {
			t.Run(op+"/"+c.name, func(t *testing.T) {
				f := newFixture(t)
				reason := f.call(t, op, c.inner).wantFault(t, http.StatusBadRequest, "Sender", soap.SubInvalidArgVal, SubNoSource)
				if !strings.Contains(reason, VideoSourceToken) {
					t.Errorf("reason %q does not name %s", reason, VideoSourceToken)
				}
				if m := f.cam.modes(); len(m) != 0 {
					t.Errorf("night mode set to %v", m)
				}
			})
		}
	}
	t.Run("spaces around the token", func(t *testing.T) {
		newFixture(t).call(t, "GetImagingSettings", "<timg:VideoSourceToken> VideoSource_1\n</timg:VideoSourceToken>").ok(t, "GetImagingSettings")
	})
}

func TestSetImagingSettings(t *testing.T) {
	set := func(settings string) string {
		return source + `<timg:ImagingSettings>` + settings + `</timg:ImagingSettings>`
	}
	for _, c := range []struct {
		name  string
		inner string
		want  []string // the modes SetNight was given
		fault []string // the subcodes of the Sender fault; nil: success
	}{
		{"ON is day", set(`<tt:IrCutFilter>ON</tt:IrCutFilter>`), []string{"day"}, nil},
		{"OFF is night", set(`<tt:IrCutFilter>OFF</tt:IrCutFilter>`), []string{"night"}, nil},
		{"AUTO", set(`<tt:IrCutFilter>AUTO</tt:IrCutFilter>`), []string{"auto"}, nil},
		{"spaces", set("<tt:IrCutFilter>\n OFF </tt:IrCutFilter>"), []string{"night"}, nil},
		{"ForcePersistence ignored", set(`<tt:IrCutFilter>OFF</tt:IrCutFilter>`) + `<timg:ForcePersistence>false</timg:ForcePersistence>`, []string{"night"}, nil},
		{"empty settings change nothing", set(``), nil, nil},
		{"no settings", source, nil, []string{soap.SubInvalidArgVal}},
		{"lower case", set(`<tt:IrCutFilter>off</tt:IrCutFilter>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"other value", set(`<tt:IrCutFilter>DIM</tt:IrCutFilter>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"empty value", set(`<tt:IrCutFilter/>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"twice", set(`<tt:IrCutFilter>ON</tt:IrCutFilter><tt:IrCutFilter>OFF</tt:IrCutFilter>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"Brightness", set(`<tt:Brightness>50</tt:Brightness>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"Brightness with IrCutFilter", set(`<tt:Brightness>50</tt:Brightness><tt:IrCutFilter>OFF</tt:IrCutFilter>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"IrCutFilter with Exposure", set(`<tt:IrCutFilter>OFF</tt:IrCutFilter><tt:Exposure><tt:Mode>AUTO</tt:Mode></tt:Exposure>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"HA's autofocus switch", set(`<tt:Focus><tt:AutoFocusMode>AUTO</tt:AutoFocusMode></tt:Focus>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
		{"Extension", set(`<tt:Extension/>`), nil, []string{soap.SubInvalidArgVal, SubSettingsInvalid}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.call(t, "SetImagingSettings", c.inner)
			if c.fault == nil {
				if b := r.ok(t, "SetImagingSettings"); len(b.Nodes) != 0 {
					t.Errorf("response has children %v, want none", names(b))
				}
			} else {
				reason := r.wantFault(t, http.StatusBadRequest, "Sender", c.fault...)
				if strings.Contains(c.name, "Brightness") && !strings.Contains(reason, "Brightness is not supported") {
					t.Errorf("reason: got %q, want it to say Brightness is not supported", reason)
				}
			}
			if got := f.cam.modes(); !slices.Equal(got, c.want) {
				t.Errorf("SetNight calls: got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSetImagingSettingsFails(t *testing.T) {
	f := newFixture(t)
	f.cam.failSet = errors.New("ir-cut: gpio busy")
	reason := f.call(t, "SetImagingSettings", source+`<timg:ImagingSettings><tt:IrCutFilter>OFF</tt:IrCutFilter></timg:ImagingSettings>`).
		wantFault(t, http.StatusInternalServerError, "Receiver")
	if !strings.Contains(reason, "night") {
		t.Errorf("reason: got %q, want it to name the night mode", reason)
	}
	if strings.Contains(reason, "gpio") {
		t.Errorf("reason %q leaks the internal error", reason)
	}
	if log := f.log.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "gpio busy") || !strings.Contains(log, "mode=night") {
		t.Errorf("log: got %q, want a warning with the mode and the error", log)
	}
}

func TestGetOptions(t *testing.T) {
	f := newFixture(t)
	opts := f.call(t, "GetOptions", source).ok(t, "GetOptions").Get("ImagingOptions")
	if opts == nil || opts.XMLName.Space != soap.NSImaging {
		t.Fatalf("got %v, want timg:ImagingOptions", opts)
	}
	var modes []string
	for _, n := range opts.Nodes {
		if n.XMLName != (xmlName(soap.NSSchema, "IrCutFilterModes")) {
			t.Errorf("option %v, want only tt:IrCutFilterModes", n.XMLName)
			continue
		}
		modes = append(modes, strings.TrimSpace(n.Text))
	}
	if want := []string{"ON", "OFF", "AUTO"}; !slices.Equal(modes, want) {
		t.Errorf("IrCutFilterModes: got %v, want %v", modes, want)
	}
}

func TestNoFocus(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ op, child string }{{"GetMoveOptions", "MoveOptions"}, {"GetStatus", "Status"}} {
		t.Run(c.op, func(t *testing.T) {
			b := f.call(t, c.op, source).ok(t, c.op)
			if got := names(b); !slices.Equal(got, []string{"timg:" + c.child}) {
				t.Fatalf("got %v, want [timg:%s]", got, c.child)
			}
			if n := b.Get(c.child); len(n.Nodes) != 0 || strings.TrimSpace(n.Text) != "" {
				t.Errorf("%s: got children %v, want it empty (no focus)", c.child, names(n))
			}
		})
	}
}

func TestNotImplemented(t *testing.T) {
	f := newFixture(t)
	// Access says no, so the dispatcher never calls ServeSOAP with Move; if
	// something does, it still gets the not-implemented fault.
	req, err := soap.ParseRequest(strings.NewReader(envelope("Move", source)), 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	f.s.ServeSOAP(rec, newRequest(), &soap.Call{Req: req, User: "admin", Admin: true})
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), soap.SubActionNotSupported) {
		t.Errorf("Move: got %d %s, want 500 with %s", rec.Code, rec.Body, soap.SubActionNotSupported)
	}
}

// TestHomeAssistant replays Home Assistant's IR lamp switch as zeep sends it
// (switch.py: turn on = IrCutFilter OFF, turn off = ON; a service call can
// send AUTO), each followed by a read of the settings.
func TestHomeAssistant(t *testing.T) {
	f := newFixture(t)
	zeep := func(op, inner string) string {
		return `<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">http://www.onvif.org/ver20/imaging/wsdl/` + op + `</wsa:Action><wsa:MessageID>urn:uuid:6f0c2a4e-1b7d-4c1e-9a2b-3c4d5e6f7a8b</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">http://192.168.1.20:8080/onvif/imaging_service</wsa:To></soap-env:Header><soap-env:Body><ns0:` + op + ` xmlns:ns0="http://www.onvif.org/ver20/imaging/wsdl">` + inner + `</ns0:` + op + `></soap-env:Body></soap-env:Envelope>`
	}
	const tok = `<ns0:VideoSourceToken>VideoSource_1</ns0:VideoSourceToken>`
	read := func() string {
		t.Helper()
		b := f.raw(t, zeep("GetImagingSettings", tok)).ok(t, "GetImagingSettings")
		return strings.TrimSpace(b.Get("ImagingSettings", "IrCutFilter").Text)
	}
	if got := read(); got != "ON" {
		t.Fatalf("at start: got %s, want ON", got)
	}
	for i, c := range []struct{ send, mode, read string }{
		{"OFF", "night", "OFF"}, // IR lamp switched on
		{"ON", "day", "ON"},     // IR lamp switched off
		{"AUTO", "auto", "AUTO"},
	} {
		body := tok + `<ns0:ImagingSettings><ns1:IrCutFilter xmlns:ns1="http://www.onvif.org/ver10/schema">` + c.send + `</ns1:IrCutFilter></ns0:ImagingSettings>`
		f.raw(t, zeep("SetImagingSettings", body)).ok(t, "SetImagingSettings")
		if m := f.cam.modes(); len(m) != i+1 || m[i] != c.mode {
			t.Errorf("IrCutFilter %s: SetNight calls %v, want the last %q", c.send, m, c.mode)
		}
		if got := read(); got != c.read {
			t.Errorf("after IrCutFilter %s: GetImagingSettings got %s, want %s", c.send, got, c.read)
		}
	}
	if log := f.log.String(); !strings.Contains(log, "night mode set") || !strings.Contains(log, "mode=auto") || !strings.Contains(log, "user=admin") {
		t.Errorf("log: got %q, want Info lines naming the mode and the user", log)
	}
}
