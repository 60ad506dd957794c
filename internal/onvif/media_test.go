package onvif

import (
	"net/http"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

const profileTok = "<ns0:ProfileToken>Profile_1</ns0:ProfileToken>"

// checkProfile checks a tt:Profile against testStream.
func checkProfile(t *testing.T, p *node, encoding string, ptz bool) {
	t.Helper()
	if p.Attr("token") != ProfileToken || p.Attr("fixed") != "true" || p.Value("Name") != ProfileName {
		t.Errorf("profile: got token %q fixed %q name %q", p.Attr("token"), p.Attr("fixed"), p.Value("Name"))
	}
	vsc := p.Get("VideoSourceConfiguration")
	if vsc.Attr("token") != VideoSourceConfigToken || vsc.Value("SourceToken") != VideoSourceToken ||
		vsc.Get("Bounds").Attr("width") != "1920" || vsc.Get("Bounds").Attr("height") != "1080" {
		t.Errorf("VideoSourceConfiguration: token %q source %q bounds %q×%q", vsc.Attr("token"), vsc.Value("SourceToken"),
			vsc.Get("Bounds").Attr("width"), vsc.Get("Bounds").Attr("height"))
	}
	vec := p.Get("VideoEncoderConfiguration")
	want := map[string]string{
		"Encoding": encoding, "Resolution/Width": "1920", "Resolution/Height": "1080", "Quality": "70",
		"RateControl/FrameRateLimit": "20", "RateControl/EncodingInterval": "1", "RateControl/BitrateLimit": "2000",
		"Multicast/Address/Type": "IPv4", "Multicast/Address/IPv4Address": "0.0.0.0", "Multicast/Port": "0",
		"Multicast/TTL": "0", "Multicast/AutoStart": "false", "SessionTimeout": "PT60S",
	}
	if encoding == "H264" {
		want["H264/GovLength"], want["H264/H264Profile"] = "40", "Baseline"
	} else if vec.Get("H264") != nil {
		t.Errorf("a JPEG encoder has an H264 element")
	}
	for path, w := range want {
		if got := vec.Value(strings.Split(path, "/")...); got != w {
			t.Errorf("VideoEncoderConfiguration/%s: got %q, want %q", path, got, w)
		}
	}
	if vec.Attr("token") != VideoEncoderConfigToken {
		t.Errorf("encoder token: got %q", vec.Attr("token"))
	}
	pc := p.Get("PTZConfiguration")
	if (pc != nil) != ptz {
		t.Fatalf("PTZConfiguration present %v, want %v", pc != nil, ptz)
	}
	if ptz && (pc.Attr("token") != "PTZConfig_1" || pc.Value("NodeToken") != "PTZNode_1" || pc.XMLName.Space != soap.NSSchema) {
		t.Errorf("PTZConfiguration: got %v token %q node %q", pc.XMLName, pc.Attr("token"), pc.Value("NodeToken"))
	}
	// Schema order: Name, VideoSourceConfiguration, VideoEncoderConfiguration, PTZConfiguration.
	var order []string
	for _, c := range p.Nodes {
		order = append(order, c.XMLName.Local)
	}
	wantOrder := "Name VideoSourceConfiguration VideoEncoderConfiguration"
	if ptz {
		wantOrder += " PTZConfiguration"
	}
	if strings.Join(order, " ") != wantOrder {
		t.Errorf("profile children: got %v, want %s", order, wantOrder)
	}
}

func TestMediaOperations(t *testing.T) {
	e := newTestEnv(t, nil)
	m := soap.NSMedia

	t.Run("GetServiceCapabilities", func(t *testing.T) {
		caps := e.call(m, "GetServiceCapabilities", "").ok(t, m, "GetServiceCapabilities").Get("Capabilities")
		if caps.Attr("SnapshotUri") != "true" || caps.Get("ProfileCapabilities").Attr("MaximumNumberOfProfiles") != "1" {
			t.Errorf("got SnapshotUri %q, MaximumNumberOfProfiles %q", caps.Attr("SnapshotUri"), caps.Get("ProfileCapabilities").Attr("MaximumNumberOfProfiles"))
		}
		sc := caps.Get("StreamingCapabilities")
		if sc.Attr("RTP_TCP") != "true" || sc.Attr("RTP_RTSP_TCP") != "true" || sc.Attr("RTPMulticast") != "false" {
			t.Errorf("StreamingCapabilities: got %v", sc.Attrs)
		}
	})

	t.Run("GetProfiles", func(t *testing.T) {
		ps := e.call(m, "GetProfiles", "").ok(t, m, "GetProfiles").All("Profiles")
		if len(ps) != 1 {
			t.Fatalf("got %d profiles, want 1", len(ps))
		}
		checkProfile(t, ps[0], "H264", true)
	})

	t.Run("GetProfiles JPEG", func(t *testing.T) {
		e.encoding.Store("JPEG")
		defer e.encoding.Store("H264")
		checkProfile(t, e.call(m, "GetProfiles", "").ok(t, m, "GetProfiles").Get("Profiles"), "JPEG", true)
	})

	t.Run("GetProfile", func(t *testing.T) {
		checkProfile(t, e.call(m, "GetProfile", profileTok).ok(t, m, "GetProfile").Get("Profile"), "H264", true)
		e.call(m, "GetProfile", "<ns0:ProfileToken>Profile_9</ns0:ProfileToken>").wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoProfile")
		e.call(m, "GetProfile", "").wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoProfile")
	})

	t.Run("GetVideoSources", func(t *testing.T) {
		vs := e.call(m, "GetVideoSources", "").ok(t, m, "GetVideoSources").Get("VideoSources")
		if vs.Attr("token") != VideoSourceToken || vs.Value("Framerate") != "20" || vs.Value("Resolution", "Width") != "1920" || vs.Value("Resolution", "Height") != "1080" {
			t.Errorf("got token %q framerate %q %s×%s", vs.Attr("token"), vs.Value("Framerate"), vs.Value("Resolution", "Width"), vs.Value("Resolution", "Height"))
		}
	})

	t.Run("video source configurations", func(t *testing.T) {
		for _, c := range []struct{ op, inner, elem string }{
			{"GetVideoSourceConfigurations", "", "Configurations"},
			{"GetCompatibleVideoSourceConfigurations", profileTok, "Configurations"},
			{"GetVideoSourceConfiguration", "<ns0:ConfigurationToken>VideoSourceConfig_1</ns0:ConfigurationToken>", "Configuration"},
		} {
			cfg := e.call(m, c.op, c.inner).ok(t, m, c.op).Get(c.elem)
			if cfg.Attr("token") != VideoSourceConfigToken || cfg.Value("SourceToken") != VideoSourceToken || cfg.Get("Bounds").Attr("width") != "1920" {
				t.Errorf("%s: got token %q source %q", c.op, cfg.Attr("token"), cfg.Value("SourceToken"))
			}
		}
		e.call(m, "GetVideoSourceConfiguration", "<ns0:ConfigurationToken>x</ns0:ConfigurationToken>").
			wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoConfig")
	})

	t.Run("video encoder configurations", func(t *testing.T) {
		for _, c := range []struct{ op, inner, elem string }{
			{"GetVideoEncoderConfigurations", "", "Configurations"},
			{"GetCompatibleVideoEncoderConfigurations", profileTok, "Configurations"},
			{"GetVideoEncoderConfiguration", "<ns0:ConfigurationToken>VideoEncoderConfig_1</ns0:ConfigurationToken>", "Configuration"},
		} {
			cfg := e.call(m, c.op, c.inner).ok(t, m, c.op).Get(c.elem)
			if cfg.Attr("token") != VideoEncoderConfigToken || cfg.Value("Encoding") != "H264" || cfg.Value("H264", "GovLength") != "40" {
				t.Errorf("%s: got token %q encoding %q", c.op, cfg.Attr("token"), cfg.Value("Encoding"))
			}
		}
		e.call(m, "GetCompatibleVideoEncoderConfigurations", "<ns0:ProfileToken>nope</ns0:ProfileToken>").
			wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoProfile")
	})

	t.Run("GetVideoEncoderConfigurationOptions", func(t *testing.T) {
		o := e.call(m, "GetVideoEncoderConfigurationOptions", "<ns0:ConfigurationToken>VideoEncoderConfig_1</ns0:ConfigurationToken>"+profileTok).
			ok(t, m, "GetVideoEncoderConfigurationOptions").Get("Options")
		for path, want := range map[string]string{
			"QualityRange/Min": "70", "QualityRange/Max": "70", "H264/ResolutionsAvailable/Width": "1920",
			"H264/GovLengthRange/Min": "40", "H264/FrameRateRange/Max": "20", "H264/H264ProfilesSupported": "Baseline",
		} {
			if got := o.Value(strings.Split(path, "/")...); got != want {
				t.Errorf("%s: got %q, want %q", path, got, want)
			}
		}
	})

	t.Run("GetStreamUri", func(t *testing.T) {
		for _, stream := range []string{"RTP-Unicast", ""} {
			inner := `<ns0:StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">` + stream + `</Stream><Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>UDP</Protocol></Transport></ns0:StreamSetup>` + profileTok
			mu := e.call(m, "GetStreamUri", inner).ok(t, m, "GetStreamUri").Get("MediaUri")
			host, _, _ := strings.Cut(e.host(), ":")
			for path, want := range map[string]string{"Uri": "rtsp://" + host + ":8554/unicast", "InvalidAfterConnect": "false", "InvalidAfterReboot": "false", "Timeout": "PT0S"} {
				if got := mu.Value(path); got != want {
					t.Errorf("stream %q %s: got %q, want %q", stream, path, got, want)
				}
			}
		}
		e.call(m, "GetStreamUri", `<ns0:StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">RTP-Multicast</Stream></ns0:StreamSetup>`+profileTok).
			wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:InvalidStreamSetup")
		e.call(m, "GetStreamUri", `<ns0:ProfileToken>Profile_2</ns0:ProfileToken>`).wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoProfile")
	})

	t.Run("GetStreamUri uses the host the client used", func(t *testing.T) {
		r := e.post(MediaPath, zeepEnvelope("GetStreamUri", m, profileTok, "admin", "secret", e.freshNonce()), "Host", "[fd00::20]:8080")
		if got := r.ok(t, m, "GetStreamUri").Value("MediaUri", "Uri"); got != "rtsp://[fd00::20]:8554/unicast" {
			t.Errorf("got %q, want rtsp://[fd00::20]:8554/unicast", got)
		}
		r = e.post(MediaPath, zeepEnvelope("GetSnapshotUri", m, profileTok, "admin", "secret", e.freshNonce()), "Host", "cam.local:8080")
		if got := r.ok(t, m, "GetSnapshotUri").Value("MediaUri", "Uri"); got != "http://cam.local:8080/onvif/snapshot.jpg" {
			t.Errorf("got %q, want http://cam.local:8080/onvif/snapshot.jpg", got)
		}
	})

	t.Run("GetSnapshotUri", func(t *testing.T) {
		mu := e.call(m, "GetSnapshotUri", profileTok).ok(t, m, "GetSnapshotUri").Get("MediaUri")
		if got := mu.Value("Uri"); got != e.ts.URL+SnapshotPath {
			t.Errorf("Uri: got %q, want %q", got, e.ts.URL+SnapshotPath)
		}
	})

	t.Run("CreateProfile without credentials", func(t *testing.T) {
		r := e.post(MediaPath, zeepEnvelope("CreateProfile", m, "<ns0:Name>SynoTestProfile</ns0:Name>", "", "", nil))
		if reason := r.wantFault(t, 500, "Receiver", soap.SubAction, "ter:MaxNVTProfiles"); reason != "the maximum number of profiles is reached" {
			t.Errorf("reason: got %q", reason)
		}
		e.call(m, "CreateProfile", "<ns0:Name>SynoTestProfile</ns0:Name>").wantFault(t, 500, "Receiver", soap.SubAction, "ter:MaxNVTProfiles")
	})

	t.Run("DeleteProfile", func(t *testing.T) {
		e.post(MediaPath, zeepEnvelope("DeleteProfile", m, profileTok, "", "", nil)).
			wantFault(t, 400, "Sender", soap.SubAction, "ter:DeletionOfFixedProfile")
		e.post(MediaPath, zeepEnvelope("DeleteProfile", m, "<ns0:ProfileToken>SynoTestProfile</ns0:ProfileToken>", "", "", nil)).
			wantFault(t, 400, "Sender", soap.SubInvalidArgVal, "ter:NoProfile")
	})

	t.Run("no audio: empty lists", func(t *testing.T) {
		for _, op := range []string{"GetAudioSources", "GetAudioEncoderConfigurations", "GetMetadataConfigurations"} {
			b := e.call(m, op, "").ok(t, m, op)
			if len(b.Nodes) != 0 {
				t.Errorf("%s: got %d children, want none", op, len(b.Nodes))
			}
		}
	})

	t.Run("camera restarting", func(t *testing.T) {
		e.down.Store(true)
		defer e.down.Store(false)
		for _, op := range []string{"GetProfiles", "GetVideoSources", "GetStreamUri"} {
			inner := ""
			if op == "GetStreamUri" {
				inner = profileTok
			}
			if reason := e.call(m, op, inner).wantFault(t, http.StatusInternalServerError, "Receiver"); reason != "camera restarting" {
				t.Errorf("%s reason: got %q, want camera restarting", op, reason)
			}
		}
	})
}

func TestNoPTZ(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.PTZ, o.PTZConfiguration, o.Events = nil, nil, nil })
	checkProfile(t, e.call(soap.NSMedia, "GetProfiles", "").ok(t, soap.NSMedia, "GetProfiles").Get("Profiles"), "H264", false)
	caps := e.call(soap.NSDevice, "GetCapabilities", "<ns0:Category>All</ns0:Category>").ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
	if caps.Get("PTZ") != nil || caps.Get("Events") != nil {
		t.Errorf("GetCapabilities offers PTZ %v, Events %v; want neither", caps.Get("PTZ") != nil, caps.Get("Events") != nil)
	}
	for _, s := range e.call(soap.NSDevice, "GetServices", "<ns0:IncludeCapability>true</ns0:IncludeCapability>").ok(t, soap.NSDevice, "GetServices").All("Service") {
		if ns := s.Value("Namespace"); ns == soap.NSPTZ || ns == soap.NSEvents {
			t.Errorf("GetServices lists %s", ns)
		}
	}
	for _, sc := range Scopes(testInfo(), false) {
		if strings.Contains(sc, "type/ptz") {
			t.Errorf("scope %s without PTZ", sc)
		}
	}
	e.call(soap.NSPTZ, "GetStatus", profileTok).wantFault(t, 500, "Receiver", soap.SubActionNotSupported)
	e.call(soap.NSEvents, "PullMessages", "").wantFault(t, 500, "Receiver", soap.SubActionNotSupported)
}
