package imaging

import (
	"strings"
	"testing"
)

// npmHeader and npmFooter are the npm onvif client's _envelopeHeader and
// _envelopeFooter (cam.js 0.8.3), with a Security header as it writes it.
const (
	npmHeader = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>` +
		`<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>admin</Username>` +
		`<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">bm90IGNoZWNrZWQgaGVyZQ==</Password>` +
		`<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">MTIzNDU2Nzg5MDEyMzQ1Ng==</Nonce>` +
		`<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2025-09-30T00:16:45.123Z</Created></UsernameToken></Security>` +
		`</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`
	npmFooter = `</s:Body></s:Envelope>`
)

// TestNPMBodies replays the request bodies of the npm onvif client's
// imaging.js (0.8.3) exactly as it builds them, with activeSource.sourceToken
// VideoSource_1, and checks the fields its callbacks read.
func TestNPMBodies(t *testing.T) {
	const tok = "VideoSource_1"
	t.Run("getImagingServiceCapabilities", func(t *testing.T) {
		f := newFixture(t)
		body := npmHeader + `<GetServiceCapabilities xmlns="http://www.onvif.org/ver20/imaging/wsdl" ></GetServiceCapabilities>` + npmFooter
		// It reads getServiceCapabilitiesResponse[0].capabilities[0].$: the attributes.
		caps := f.raw(t, body).ok(t, "GetServiceCapabilities").Get("Capabilities")
		if caps == nil || len(caps.Attrs) == 0 || caps.Attr("ImageStabilization") != "false" {
			t.Errorf("capabilities: got %+v, want attributes with ImageStabilization=false", caps)
		}
	})
	t.Run("getImagingSettings", func(t *testing.T) {
		f := newFixture(t)
		f.cam.night = true
		body := npmHeader + `<GetImagingSettings xmlns="http://www.onvif.org/ver20/imaging/wsdl" >` +
			`<VideoSourceToken  xmlns="http://www.onvif.org/ver20/imaging/wsdl" >` + tok + `</VideoSourceToken>` +
			`</GetImagingSettings>` + npmFooter
		// It reads getImagingSettingsResponse.imagingSettings (irCutFilter in it).
		got := f.raw(t, body).ok(t, "GetImagingSettings").Get("ImagingSettings", "IrCutFilter")
		if got == nil || strings.TrimSpace(got.Text) != "OFF" {
			t.Errorf("imagingSettings.irCutFilter: got %+v, want OFF", got)
		}
	})
	// setImagingSettings({irCutFilter}) and setImagingSettings({brightness}) as
	// imaging.js concatenates them (no other option set).
	setBody := func(settings string) string {
		return npmHeader + `<SetImagingSettings xmlns="http://www.onvif.org/ver20/imaging/wsdl" >` +
			`<VideoSourceToken  xmlns="http://www.onvif.org/ver20/imaging/wsdl" >` + tok + `</VideoSourceToken>` +
			`<ImagingSettings xmlns="http://www.onvif.org/ver20/imaging/wsdl" >` + settings + `</ImagingSettings>` +
			`</SetImagingSettings>` + npmFooter
	}
	for _, c := range []struct{ irCut, mode string }{{"OFF", "night"}, {"ON", "day"}, {"AUTO", "auto"}} {
		t.Run("setImagingSettings irCutFilter "+c.irCut, func(t *testing.T) {
			f := newFixture(t)
			body := setBody(`<IrCutFilter xmlns="http://www.onvif.org/ver10/schema">` + c.irCut + `</IrCutFilter>`)
			// It reads setImagingSettingsResponse.
			f.raw(t, body).ok(t, "SetImagingSettings")
			if m := f.cam.modes(); len(m) != 1 || m[0] != c.mode {
				t.Errorf("SetNight calls: got %v, want [%s]", m, c.mode)
			}
		})
	}
	t.Run("setImagingSettings brightness", func(t *testing.T) {
		f := newFixture(t)
		body := setBody(`<Brightness xmlns="http://www.onvif.org/ver10/schema">50</Brightness>`)
		reason := f.raw(t, body).wantFault(t, 400, "Sender", "ter:InvalidArgVal", SubSettingsInvalid)
		// The client shows the fault's Reason/Text as its error.
		if !strings.Contains(reason, "not supported") {
			t.Errorf("reason: got %q, want it to say not supported", reason)
		}
		if m := f.cam.modes(); len(m) != 0 {
			t.Errorf("SetNight calls: got %v, want none", m)
		}
	})
	t.Run("getVideoSourceOptions", func(t *testing.T) {
		f := newFixture(t)
		body := npmHeader + `<GetOptions xmlns="http://www.onvif.org/ver20/imaging/wsdl">` +
			`<VideoSourceToken>` + tok + `</VideoSourceToken></GetOptions>` + npmFooter
		// It reads getOptionsResponse.imagingOptions.
		opts := f.raw(t, body).ok(t, "GetOptions").Get("ImagingOptions")
		if opts == nil || len(opts.Nodes) != 3 {
			t.Errorf("imagingOptions: got %+v, want three irCutFilterModes", opts)
		}
	})
	for _, op := range []struct{ fn, op, child string }{
		{"imagingGetMoveOptions", "GetMoveOptions", "MoveOptions"},
		{"imagingGetStatus", "GetStatus", "Status"},
	} {
		t.Run(op.fn, func(t *testing.T) {
			f := newFixture(t)
			body := npmHeader + `<` + op.op + ` xmlns="http://www.onvif.org/ver20/imaging/wsdl">` +
				`<VideoSourceToken>` + tok + `</VideoSourceToken></` + op.op + `>` + npmFooter
			// It reads <op>Response.<child> when present, {} otherwise.
			if f.raw(t, body).ok(t, op.op).Get(op.child) == nil {
				t.Errorf("%s: no %s", op.op, op.child)
			}
		})
	}
}
