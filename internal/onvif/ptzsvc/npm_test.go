package ptzsvc

import (
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/freecam/freecam/internal/hal"
)

// npm builds a request as the npm onvif 0.8.3 client does
// (_envelopeHeader without credentials, the body of lib/ptz.js,
// _envelopeFooter).
func npm(body string) string {
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
		body + `</s:Body></s:Envelope>`
}

// npmVectors is _panTiltZoomVectors({x, y, zoom}).
func npmVectors(x, y, zoom string) string {
	return `<PanTilt x="` + x + `" y="` + y + `" xmlns="http://www.onvif.org/ver10/schema"/><Zoom x="` + zoom + `" xmlns="http://www.onvif.org/ver10/schema"/>`
}

// TestNpmClientBodies replays the bodies lib/ptz.js sends and checks the
// elements its parsers read.
func TestNpmClientBodies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := hal.Position{X: 1300, Y: 350}
		f := newFixture(t, fixtureOpts{start: start})
		do := func(body string, v any) {
			t.Helper()
			code, resp := f.raw(t, npm(body))
			if code != http.StatusOK {
				t.Fatalf("got %d: %s", code, resp)
			}
			if v != nil {
				decodeBody(t, resp, v)
			}
		}
		status := func() status {
			t.Helper()
			var st status
			do(`<GetStatus xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></GetStatus>`, &st)
			return st
		}
		idle := func() {
			t.Helper()
			for range 1200 {
				if status().PTZStatus.MoveStatus.PanTilt == "IDLE" {
					return
				}
				synctestSleep()
			}
			t.Fatal("still MOVING")
		}

		// getNodes: nodes[PTZNode.$.token]
		var nodes struct {
			Node wireNode `xml:"PTZNode"`
		}
		do(`<GetNodes xmlns="http://www.onvif.org/ver20/ptz/wsdl" />`, &nodes)
		if nodes.Node.Token != NodeToken {
			t.Errorf("getNodes: got token %q", nodes.Node.Token)
		}
		// getConfigurations: name, useCount, $.token, nodeToken, defaultPTZSpeed.panTilt.$, panTiltLimits.range
		var cfgs struct {
			Configs []wireConfig `xml:"PTZConfiguration"`
		}
		do(`<GetConfigurations xmlns="http://www.onvif.org/ver20/ptz/wsdl"></GetConfigurations>`, &cfgs)
		if len(cfgs.Configs) != 1 {
			t.Fatalf("getConfigurations: got %d", len(cfgs.Configs))
		}
		checkConfig(t, cfgs.Configs[0])
		// getConfigurationOptions(token): Spaces, PTZTimeout min/max, each space URI/XRange/YRange
		var opts struct {
			Options struct {
				Spaces  wireSpaces `xml:"Spaces"`
				Timeout struct {
					Min string `xml:"Min"`
					Max string `xml:"Max"`
				} `xml:"PTZTimeout"`
			} `xml:"PTZConfigurationOptions"`
		}
		do(`<GetConfigurationOptions xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ConfigurationToken>`+cfgs.Configs[0].Token+`</ConfigurationToken></GetConfigurationOptions>`, &opts)
		checkSpaces(t, opts.Options.Spaces)
		if opts.Options.Timeout.Min == "" || opts.Options.Timeout.Max == "" {
			t.Errorf("getConfigurationOptions: got PTZTimeout %+v", opts.Options.Timeout)
		}

		// getStatus: position.panTilt.$.x/y, moveStatus, utcTime
		st := status()
		if p := st.PTZStatus.Position.PanTilt; p.X == nil || p.Y == nil || st.PTZStatus.MoveStatus.PanTilt != "IDLE" || st.PTZStatus.UtcTime == "" {
			t.Errorf("getStatus: got %+v", st.PTZStatus)
		}

		// continuousMove({x: 0.5, timeout: 500}) then stop({panTilt: true})
		do(`<ContinuousMove xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><Velocity>`+npmVectors("0.5", "0", "0")+`</Velocity><Timeout>PT0.5S</Timeout></ContinuousMove>`, nil)
		if got := status().PTZStatus.MoveStatus.PanTilt; got != "MOVING" {
			t.Errorf("continuousMove: got %s, want MOVING", got)
		}
		do(`<Stop xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><PanTilt>true</PanTilt></Stop>`, nil)
		if got := status().PTZStatus.MoveStatus.PanTilt; got != "IDLE" {
			t.Errorf("stop: got %s, want IDLE", got)
		}
		// stop() with no options: ProfileToken only
		do(`<Stop xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></Stop>`, nil)

		// absoluteMove({x: -1, y: -1}) (zoom 0 is always sent)
		do(`<AbsoluteMove xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><Position>`+npmVectors("-1", "-1", "0")+`</Position></AbsoluteMove>`, nil)
		idle()
		if got := f.drv.True(); got != (hal.Position{}) {
			t.Errorf("absoluteMove: got %v, want 0,0", got)
		}
		// relativeMove({x: 0.5, y: 0.5, speed: {x: 1, y: 1, zoom: 1}})
		do(`<RelativeMove xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><Translation>`+npmVectors("0.5", "0.5", "0")+`</Translation><Speed>`+npmVectors("1", "1", "1")+`</Speed></RelativeMove>`, nil)
		idle()
		if got, want := f.drv.True(), (hal.Position{X: 650, Y: 175}); got != want {
			t.Errorf("relativeMove: got %v, want %v", got, want)
		}

		// setPreset({presetName}) → PresetToken; getPresets → preset.$.token, preset.name
		var set struct {
			Token string `xml:"PresetToken"`
		}
		do(`<SetPreset xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><PresetName>porch</PresetName></SetPreset>`, &set)
		if set.Token != "porch" {
			t.Errorf("setPreset: got token %q, want porch", set.Token)
		}
		var list wirePresets
		do(`<GetPresets xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></GetPresets>`, &list)
		if len(list.Presets) != 1 || list.Presets[0].Token != "porch" || list.Presets[0].Name != "porch" {
			t.Errorf("getPresets: got %+v, want porch", list.Presets)
		}
		// gotoPreset({preset, speed}) after a move away
		do(`<GotoHomePosition xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></GotoHomePosition>`, nil)
		idle()
		do(`<GotoPreset xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><PresetToken>porch</PresetToken><Speed>`+npmVectors("1", "1", "1")+`</Speed></GotoPreset>`, nil)
		idle()
		if got, want := f.drv.True(), (hal.Position{X: 650, Y: 175}); got != want {
			t.Errorf("gotoPreset: got %v, want %v", got, want)
		}
		do(`<SetHomePosition xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></SetHomePosition>`, nil)
		do(`<RemovePreset xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken><PresetToken>porch</PresetToken></RemovePreset>`, nil)
		list = wirePresets{}
		do(`<GetPresets xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>Profile_1</ProfileToken></GetPresets>`, &list)
		if len(list.Presets) != 1 || list.Presets[0].Token != HomePreset {
			t.Errorf("after removePreset: got %+v, want only home", list.Presets)
		}
	})
}
