package ptzsvc

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/onvif/soap"
)

func TestNewNeedsMotor(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("got no error without a motor, want one")
	}
}

func TestAccess(t *testing.T) {
	cases := []struct {
		op   string
		want soap.Access
		ok   bool
	}{
		{"GetServiceCapabilities", soap.Open, true},
		{"GetNodes", soap.Viewer, true},
		{"GetNode", soap.Viewer, true},
		{"GetConfigurations", soap.Viewer, true},
		{"GetConfiguration", soap.Viewer, true},
		{"GetConfigurationOptions", soap.Viewer, true},
		{"GetStatus", soap.Viewer, true},
		{"GetPresets", soap.Viewer, true},
		{"ContinuousMove", soap.Admin, true},
		{"RelativeMove", soap.Admin, true},
		{"AbsoluteMove", soap.Admin, true},
		{"Stop", soap.Admin, true},
		{"GotoPreset", soap.Admin, true},
		{"SetPreset", soap.Admin, true},
		{"RemovePreset", soap.Admin, true},
		{"GotoHomePosition", soap.Admin, true},
		{"SetHomePosition", soap.Admin, true},
		{"SendAuxiliaryCommand", 0, false},
		{"GetPresetTours", 0, false},
	}
	f := newFixture(t, fixtureOpts{})
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			got, ok := f.s.Access(tc.op)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("got %v, %t, want %v, %t", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestGetServiceCapabilities(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	var resp struct {
		Caps struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"Capabilities"`
	}
	f.ok(t, "GetServiceCapabilities", "", &resp)
	got := map[string]string{}
	for _, a := range resp.Caps.Attrs {
		got[a.Name.Local] = a.Value
	}
	want := map[string]string{"EFlip": "false", "Reverse": "false", "GetCompatibleConfigurations": "true", "MoveStatus": "true", "StatusPosition": "true"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("got %s=%q, want %q", k, got[k], v)
		}
	}
}

type wireSpace2D struct {
	URI    string `xml:"URI"`
	XRange struct{ Min, Max float64 }
	YRange *struct{ Min, Max float64 }
}

type wireSpaces struct {
	Absolute   []wireSpace2D `xml:"AbsolutePanTiltPositionSpace"`
	Relative   []wireSpace2D `xml:"RelativePanTiltTranslationSpace"`
	Continuous []wireSpace2D `xml:"ContinuousPanTiltVelocitySpace"`
	Speed      []wireSpace2D `xml:"PanTiltSpeedSpace"`
	Zoom       []wireSpace2D `xml:"AbsoluteZoomPositionSpace"`
}

func checkSpaces(t *testing.T, sp wireSpaces) {
	t.Helper()
	type want struct {
		name string
		got  []wireSpace2D
		uris []string
		min  float64
	}
	for _, w := range []want{
		{"absolute", sp.Absolute, []string{SpacePositionGeneric}, -1},
		{"relative", sp.Relative, []string{SpaceTranslationGeneric, SpaceTranslationFov}, -1},
		{"continuous", sp.Continuous, []string{SpaceVelocityGeneric}, -1},
		{"speed", sp.Speed, []string{SpaceSpeedGeneric}, 0},
	} {
		var uris []string
		for _, s := range w.got {
			uris = append(uris, s.URI)
			if s.XRange.Min != w.min || s.XRange.Max != 1 {
				t.Errorf("%s %s: got XRange %v, want %g..1", w.name, s.URI, s.XRange, w.min)
			}
			if w.name != "speed" && (s.YRange == nil || s.YRange.Min != -1 || s.YRange.Max != 1) {
				t.Errorf("%s %s: got YRange %v, want -1..1", w.name, s.URI, s.YRange)
			}
		}
		if !slices.Equal(uris, w.uris) {
			t.Errorf("%s: got spaces %q, want %q", w.name, uris, w.uris)
		}
	}
	if len(sp.Zoom) != 0 {
		t.Errorf("got zoom spaces %v, want none (no zoom)", sp.Zoom)
	}
}

type wireNode struct {
	Token         string     `xml:"token,attr"`
	Name          string     `xml:"Name"`
	Spaces        wireSpaces `xml:"SupportedPTZSpaces"`
	MaxPresets    int        `xml:"MaximumNumberOfPresets"`
	HomeSupported bool       `xml:"HomeSupported"`
}

func TestNodes(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	var nodes struct {
		Nodes []wireNode `xml:"PTZNode"`
	}
	f.ok(t, "GetNodes", "", &nodes)
	if len(nodes.Nodes) != 1 {
		t.Fatalf("got %d nodes, want 1", len(nodes.Nodes))
	}
	var one struct {
		Node wireNode `xml:"PTZNode"`
	}
	f.ok(t, "GetNode", `<tptz:NodeToken>PTZNode_1</tptz:NodeToken>`, &one)
	for _, n := range []wireNode{nodes.Nodes[0], one.Node} {
		if n.Token != NodeToken || n.MaxPresets != MaxPresets || !n.HomeSupported {
			t.Errorf("got node %s max presets %d home %t, want %s %d true", n.Token, n.MaxPresets, n.HomeSupported, NodeToken, MaxPresets)
		}
		checkSpaces(t, n.Spaces)
	}
	code, body := f.call(t, "GetNode", `<tptz:NodeToken>PTZNode_2</tptz:NodeToken>`)
	if got, want := faultCodes(t, body), []string{"env:Sender", "ter:InvalidArgVal", "ter:NoEntity"}; code != http.StatusBadRequest || !slices.Equal(got, want) {
		t.Errorf("unknown node: got %d %v, want 400 %v", code, got, want)
	}
}

type wireConfig struct {
	Token             string `xml:"token,attr"`
	Name              string `xml:"Name"`
	UseCount          int    `xml:"UseCount"`
	NodeToken         string `xml:"NodeToken"`
	AbsoluteSpace     string `xml:"DefaultAbsolutePantTiltPositionSpace"`
	RelativeSpace     string `xml:"DefaultRelativePanTiltTranslationSpace"`
	ContinuousSpace   string `xml:"DefaultContinuousPanTiltVelocitySpace"`
	DefaultPTZTimeout string `xml:"DefaultPTZTimeout"`
	DefaultPTZSpeed   struct {
		PanTilt struct {
			X float64 `xml:"x,attr"`
			Y float64 `xml:"y,attr"`
		} `xml:"PanTilt"`
	} `xml:"DefaultPTZSpeed"`
	PanTiltLimits struct {
		Range wireSpace2D `xml:"Range"`
	} `xml:"PanTiltLimits"`
}

func checkConfig(t *testing.T, c wireConfig) {
	t.Helper()
	if c.Token != ConfigurationToken || c.Name == "" || c.UseCount != 1 || c.NodeToken != NodeToken {
		t.Errorf("got token %q name %q use count %d node %q, want %s, a name, 1, %s", c.Token, c.Name, c.UseCount, c.NodeToken, ConfigurationToken, NodeToken)
	}
	if c.AbsoluteSpace != SpacePositionGeneric || c.RelativeSpace != SpaceTranslationGeneric || c.ContinuousSpace != SpaceVelocityGeneric {
		t.Errorf("got default spaces %q %q %q", c.AbsoluteSpace, c.RelativeSpace, c.ContinuousSpace)
	}
	if c.DefaultPTZTimeout != "PT10S" || c.DefaultPTZSpeed.PanTilt.X != 1 || c.DefaultPTZSpeed.PanTilt.Y != 1 {
		t.Errorf("got timeout %q speed %+v, want PT10S and 1,1", c.DefaultPTZTimeout, c.DefaultPTZSpeed)
	}
	r := c.PanTiltLimits.Range
	if r.URI != SpacePositionGeneric || r.XRange.Min != -1 || r.XRange.Max != 1 || r.YRange == nil || r.YRange.Min != -1 || r.YRange.Max != 1 {
		t.Errorf("got limits %+v, want the generic space -1..1", r)
	}
}

func TestConfigurations(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	var all struct {
		Configs []wireConfig `xml:"PTZConfiguration"`
	}
	f.ok(t, "GetConfigurations", "", &all)
	if len(all.Configs) != 1 {
		t.Fatalf("got %d configurations, want 1", len(all.Configs))
	}
	checkConfig(t, all.Configs[0])

	var one struct {
		Config wireConfig `xml:"PTZConfiguration"`
	}
	f.ok(t, "GetConfiguration", `<tptz:PTZConfigurationToken>PTZConfig_1</tptz:PTZConfigurationToken>`, &one)
	checkConfig(t, one.Config)
	one.Config = wireConfig{}
	f.ok(t, "GetCompatibleConfigurations", profile, &one)
	checkConfig(t, one.Config)

	var opts struct {
		Options struct {
			Spaces  wireSpaces `xml:"Spaces"`
			Timeout struct {
				Min string `xml:"Min"`
				Max string `xml:"Max"`
			} `xml:"PTZTimeout"`
		} `xml:"PTZConfigurationOptions"`
	}
	f.ok(t, "GetConfigurationOptions", `<tptz:ConfigurationToken>PTZConfig_1</tptz:ConfigurationToken>`, &opts)
	checkSpaces(t, opts.Options.Spaces)
	if opts.Options.Timeout.Min != "PT0.1S" || opts.Options.Timeout.Max != "PT60S" {
		t.Errorf("got PTZTimeout %+v, want PT0.1S..PT60S", opts.Options.Timeout)
	}

	for _, tc := range []struct{ op, inner, sub string }{
		{"GetConfiguration", `<tptz:PTZConfigurationToken>x</tptz:PTZConfigurationToken>`, "ter:NoConfig"},
		{"GetConfigurationOptions", `<tptz:ConfigurationToken>x</tptz:ConfigurationToken>`, "ter:NoConfig"},
		{"GetCompatibleConfigurations", `<tptz:ProfileToken>Profile_2</tptz:ProfileToken>`, "ter:NoProfile"},
	} {
		code, body := f.call(t, tc.op, tc.inner)
		if got, want := faultCodes(t, body), []string{"env:Sender", "ter:InvalidArgVal", tc.sub}; code != http.StatusBadRequest || !slices.Equal(got, want) {
			t.Errorf("%s: got %d %v, want 400 %v", tc.op, code, got, want)
		}
	}
}

// TestConfigurationEmbeds checks the value the media service embeds in
// trt:Profiles: marshalled inside a wrapper, it is a tt:PTZConfiguration
// with the token attribute and tt: children that parse back in the tt
// namespace once the envelope's prefixes are in scope.
func TestConfigurationEmbeds(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	type profiles struct {
		XMLName xml.Name `xml:"trt:Profiles"`
		Token   string   `xml:"token,attr"`
		Name    string   `xml:"tt:Name"`
		PTZ     *Configuration
	}
	cfg := f.s.Configuration()
	out, err := xml.Marshal(profiles{Token: "Profile_1", Name: "main", PTZ: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	wantPrefix := `<trt:Profiles token="Profile_1"><tt:Name>main</tt:Name><tt:PTZConfiguration token="PTZConfig_1"><tt:Name>PTZConfig_1</tt:Name><tt:UseCount>1</tt:UseCount><tt:NodeToken>PTZNode_1</tt:NodeToken><tt:DefaultAbsolutePantTiltPositionSpace>`
	if !bytes.HasPrefix(out, []byte(wantPrefix)) {
		t.Errorf("got %s, want it to start with %s", out, wantPrefix)
	}
	doc := `<r xmlns:trt="` + soap.NSMedia + `" xmlns:tt="` + soap.NSSchema + `">` + string(out) + `</r>`
	var back struct {
		Profiles struct {
			PTZ struct {
				XMLName   xml.Name
				Token     string `xml:"token,attr"`
				NodeToken struct {
					XMLName xml.Name
					Value   string `xml:",chardata"`
				} `xml:"http://www.onvif.org/ver10/schema NodeToken"`
				Limits struct {
					Range struct {
						X struct{ Min, Max float64 } `xml:"http://www.onvif.org/ver10/schema XRange"`
					} `xml:"http://www.onvif.org/ver10/schema Range"`
				} `xml:"http://www.onvif.org/ver10/schema PanTiltLimits"`
			} `xml:"http://www.onvif.org/ver10/schema PTZConfiguration"`
		} `xml:"http://www.onvif.org/ver10/media/wsdl Profiles"`
	}
	if err := xml.Unmarshal([]byte(doc), &back); err != nil {
		t.Fatal(err)
	}
	p := back.Profiles.PTZ
	if p.XMLName.Space != soap.NSSchema || p.Token != ConfigurationToken || p.NodeToken.Value != NodeToken || p.Limits.Range.X.Min != -1 || p.Limits.Range.X.Max != 1 {
		t.Errorf("got %+v, want tt:PTZConfiguration token %s node %s limits -1..1", p, ConfigurationToken, NodeToken)
	}
}

func TestUnknownOperation(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	req, err := soap.ParseRequest(strings.NewReader(envelope("SendAuxiliaryCommand", profile)), 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	f.s.ServeSOAP(rec, nil, &soap.Call{Req: req})
	if got, want := faultCodes(t, rec.Body.Bytes()), []string{"env:Receiver", "ter:ActionNotSupported"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFaults(t *testing.T) {
	bad := `<tptz:ProfileToken>Profile_9</tptz:ProfileToken>`
	cases := []struct {
		name, op, inner string
		want            []string
	}{
		{"status bad profile", "GetStatus", bad, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"status no profile", "GetStatus", "", []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"continuous bad profile", "ContinuousMove", bad + `<tptz:Velocity>` + panTilt(1, 0, "") + `</tptz:Velocity>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"relative bad profile", "RelativeMove", bad + `<tptz:Translation>` + panTilt(1, 0, "") + `</tptz:Translation>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"absolute bad profile", "AbsoluteMove", bad + `<tptz:Position>` + panTilt(1, 0, "") + `</tptz:Position>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"stop bad profile", "Stop", bad, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"presets bad profile", "GetPresets", bad, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"goto preset bad profile", "GotoPreset", bad + `<tptz:PresetToken>home</tptz:PresetToken>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"set preset bad profile", "SetPreset", bad + `<tptz:PresetName>a</tptz:PresetName>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"remove preset bad profile", "RemovePreset", bad + `<tptz:PresetToken>a</tptz:PresetToken>`, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"home bad profile", "GotoHomePosition", bad, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"set home bad profile", "SetHomePosition", bad, []string{"ter:InvalidArgVal", "ter:NoProfile"}},
		{"velocity over 1", "ContinuousMove", profile + `<tptz:Velocity>` + panTilt(1.2, 0, "") + `</tptz:Velocity>`, []string{"ter:InvalidArgVal", "ter:InvalidVelocity"}},
		{"velocity NaN", "ContinuousMove", profile + `<tptz:Velocity>` + `<tt:PanTilt x="NaN" y="0"/></tptz:Velocity>`, []string{"ter:InvalidArgVal", "ter:InvalidVelocity"}},
		{"velocity space", "ContinuousMove", profile + `<tptz:Velocity>` + panTilt(1, 0, SpaceTranslationFov) + `</tptz:Velocity>`, []string{"ter:InvalidArgVal", "ter:SpaceNotSupported"}},
		{"timeout unparsable", "ContinuousMove", profile + `<tptz:Velocity>` + panTilt(1, 0, "") + `</tptz:Velocity><tptz:Timeout>10</tptz:Timeout>`, []string{"ter:InvalidArgVal", "ter:TimeoutNotSupported"}},
		{"timeout too long", "ContinuousMove", profile + `<tptz:Velocity>` + panTilt(1, 0, "") + `</tptz:Velocity><tptz:Timeout>PT2M</tptz:Timeout>`, []string{"ter:InvalidArgVal", "ter:TimeoutNotSupported"}},
		{"translation over 1", "RelativeMove", profile + `<tptz:Translation>` + panTilt(0, -1.5, SpaceTranslationFov) + `</tptz:Translation>`, []string{"ter:InvalidArgVal", "ter:InvalidTranslation"}},
		{"translation space", "RelativeMove", profile + `<tptz:Translation>` + panTilt(0.1, 0, "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalTranslationSpaceDegrees") + `</tptz:Translation>`, []string{"ter:InvalidArgVal", "ter:SpaceNotSupported"}},
		{"position over 1", "AbsoluteMove", profile + `<tptz:Position>` + panTilt(2, 0, "") + `</tptz:Position>`, []string{"ter:InvalidArgVal", "ter:InvalidPosition"}},
		{"position space", "AbsoluteMove", profile + `<tptz:Position>` + panTilt(0, 0, SpaceTranslationGeneric) + `</tptz:Position>`, []string{"ter:InvalidArgVal", "ter:SpaceNotSupported"}},
		{"position not a number", "AbsoluteMove", profile + `<tptz:Position><tt:PanTilt x="left" y="0"/></tptz:Position>`, []string{"ter:InvalidArgVal"}},
		{"unknown preset", "GotoPreset", profile + `<tptz:PresetToken>nowhere</tptz:PresetToken>`, []string{"ter:InvalidArgVal", "ter:NoToken"}},
		{"remove unknown preset", "RemovePreset", profile + `<tptz:PresetToken>nowhere</tptz:PresetToken>`, []string{"ter:InvalidArgVal", "ter:NoToken"}},
		{"invalid preset name", "SetPreset", profile + `<tptz:PresetName>front/door</tptz:PresetName>`, []string{"ter:InvalidArgVal", "ter:InvalidPresetName"}},
		{"set unknown preset token", "SetPreset", profile + `<tptz:PresetToken>nowhere</tptz:PresetToken>`, []string{"ter:InvalidArgVal", "ter:NoToken"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpts{start: hal.Position{X: 1000, Y: 300}})
			code, body := f.call(t, tc.op, tc.inner)
			want := append([]string{"env:Sender"}, tc.want...)
			if got := faultCodes(t, body); code != http.StatusBadRequest || !slices.Equal(got, want) {
				t.Errorf("got %d %v, want 400 %v: %s", code, got, want, body)
			}
			if f.s.moving() {
				t.Error("got a move started, want none")
			}
			if got := f.m.Position(); got != (hal.Position{X: 1000, Y: 300}) {
				t.Errorf("got position %v, want unchanged", got)
			}
		})
	}
}
