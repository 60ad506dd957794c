package onvif

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/imaging"
	"github.com/freecam/freecam/internal/onvif/soap"
	"github.com/freecam/freecam/internal/testutil"
)

// nightCamera is the camera's night mode behind the real imaging service.
type nightCamera struct {
	mu          sync.Mutex
	night, auto bool
	set         []string
}

func (n *nightCamera) Night() (night, auto bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.night, n.auto
}

func (n *nightCamera) SetNight(_ context.Context, mode string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.set = append(n.set, mode)
	switch mode {
	case "day", "night":
		n.night, n.auto = mode == "night", false
	case "auto":
		n.auto = true
	}
	return nil
}

func (n *nightCamera) modes() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.set)
}

// newImagingEnv is newTestEnv with the real imaging service over a nightCamera.
func newImagingEnv(t testing.TB, change func(*Options)) (*testEnv, *nightCamera) {
	t.Helper()
	cam := &nightCamera{}
	svc, err := imaging.New(imaging.Options{Night: cam.Night, SetNight: cam.SetNight})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, func(o *Options) {
		o.Imaging = svc
		if change != nil {
			change(o)
		}
	})
	return e, cam
}

const (
	sourceTok   = "<ns0:VideoSourceToken>" + VideoSourceToken + "</ns0:VideoSourceToken>"
	irCutOffSet = sourceTok + `<ns0:ImagingSettings><ns1:IrCutFilter xmlns:ns1="http://www.onvif.org/ver10/schema">OFF</ns1:IrCutFilter></ns0:ImagingSettings>`
)

func TestImagingSourceToken(t *testing.T) {
	if imaging.VideoSourceToken != VideoSourceToken {
		t.Errorf("imaging.VideoSourceToken %q, want the media service's %q", imaging.VideoSourceToken, VideoSourceToken)
	}
}

func TestImagingOffered(t *testing.T) {
	e, _ := newImagingEnv(t, nil)
	base := e.ts.URL
	t.Run("GetCapabilities", func(t *testing.T) {
		for _, c := range []struct {
			category       string
			imaging, media bool
		}{{"All", true, true}, {"", true, true}, {"Imaging", true, false}, {"Media", false, true}} {
			inner := ""
			if c.category != "" {
				inner = "<ns0:Category>" + c.category + "</ns0:Category>"
			}
			caps := e.call(soap.NSDevice, "GetCapabilities", inner).ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
			im := caps.Get("Imaging")
			if (im != nil) != c.imaging || (caps.Get("Media") != nil) != c.media {
				t.Errorf("category %q: Imaging %v Media %v, want %v %v", c.category, im != nil, caps.Get("Media") != nil, c.imaging, c.media)
				continue
			}
			if im == nil {
				continue
			}
			if got := im.Value("XAddr"); got != base+ImagingPath {
				t.Errorf("category %q: Imaging XAddr %q, want %q", c.category, got, base+ImagingPath)
			}
			if im.XMLName.Space != soap.NSSchema {
				t.Errorf("Imaging namespace %q, want tt", im.XMLName.Space)
			}
		}
		// The schema's order: Analytics, Device, Events, Imaging, Media, PTZ.
		caps := e.call(soap.NSDevice, "GetCapabilities", "").ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
		var order []string
		for _, n := range caps.Nodes {
			order = append(order, n.XMLName.Local)
		}
		if want := []string{"Device", "Events", "Imaging", "Media", "PTZ"}; !slices.Equal(order, want) {
			t.Errorf("capabilities order: got %v, want %v", order, want)
		}
	})
	t.Run("GetServices", func(t *testing.T) {
		for _, incl := range []bool{false, true} {
			inner := map[bool]string{true: "<ns0:IncludeCapability>true</ns0:IncludeCapability>", false: "<ns0:IncludeCapability>false</ns0:IncludeCapability>"}[incl]
			var img *node
			for _, s := range e.call(soap.NSDevice, "GetServices", inner).ok(t, soap.NSDevice, "GetServices").All("Service") {
				if s.Value("Namespace") == soap.NSImaging {
					img = s
				}
			}
			if img == nil {
				t.Fatalf("IncludeCapability %v: no %s service", incl, soap.NSImaging)
			}
			if img.Value("XAddr") != base+ImagingPath || img.Value("Version", "Major") != "2" || img.Value("Version", "Minor") == "<absent>" {
				t.Errorf("imaging service: XAddr %q version %s.%s, want %q 2.x", img.Value("XAddr"), img.Value("Version", "Major"), img.Value("Version", "Minor"), base+ImagingPath)
			}
			c := img.Get("Capabilities", "Capabilities")
			if !incl {
				if img.Get("Capabilities") != nil {
					t.Errorf("IncludeCapability false: the imaging service has Capabilities")
				}
				continue
			}
			// The imaging service's own GetServiceCapabilities answer.
			if c == nil || c.XMLName.Space != soap.NSImaging || c.Attr("ImageStabilization") != "false" {
				t.Errorf("imaging capabilities: got %v ImageStabilization=%q, want timg:Capabilities with false", nameOf(c), c.Attr("ImageStabilization"))
			}
		}
	})
	t.Run("routed by namespace", func(t *testing.T) {
		b := e.post(ImagingPath, zeepEnvelope("GetImagingSettings", soap.NSImaging, sourceTok, "admin", "secret", e.freshNonce())).
			ok(t, soap.NSImaging, "GetImagingSettings")
		if got := b.Value("ImagingSettings", "IrCutFilter"); got != "ON" {
			t.Errorf("IrCutFilter: got %q, want ON", got)
		}
		// An imaging operation it does not implement.
		e.post(ImagingPath, zeepEnvelope("Move", soap.NSImaging, sourceTok, "admin", "secret", e.freshNonce())).
			wantFault(t, http.StatusInternalServerError, "Receiver", soap.SubActionNotSupported)
	})
}

func TestImagingNotOffered(t *testing.T) {
	e := newTestEnv(t, nil) // no Imaging
	caps := e.call(soap.NSDevice, "GetCapabilities", "<ns0:Category>All</ns0:Category>").ok(t, soap.NSDevice, "GetCapabilities").Get("Capabilities")
	if caps.Get("Imaging") != nil {
		t.Errorf("GetCapabilities offers Imaging without an imaging service")
	}
	e.call(soap.NSDevice, "GetCapabilities", "<ns0:Category>Imaging</ns0:Category>").
		wantFault(t, http.StatusInternalServerError, "Receiver", soap.SubActionNotSupported, "ter:NoSuchService")
	for _, s := range e.call(soap.NSDevice, "GetServices", "<ns0:IncludeCapability>true</ns0:IncludeCapability>").ok(t, soap.NSDevice, "GetServices").All("Service") {
		if s.Value("Namespace") == soap.NSImaging {
			t.Errorf("GetServices lists %s without an imaging service", soap.NSImaging)
		}
	}
	e.post(ImagingPath, zeepEnvelope("GetImagingSettings", soap.NSImaging, sourceTok, "admin", "secret", e.freshNonce())).
		wantFault(t, http.StatusInternalServerError, "Receiver", soap.SubActionNotSupported)
}

func TestImagingRoles(t *testing.T) {
	e, cam := newImagingEnv(t, nil)
	im := soap.NSImaging
	t.Run("viewer reads", func(t *testing.T) {
		e.post(ImagingPath, zeepEnvelope("GetImagingSettings", im, sourceTok, "viewer", "watch", e.freshNonce())).ok(t, im, "GetImagingSettings")
		e.post(ImagingPath, zeepEnvelope("GetOptions", im, sourceTok, "viewer", "watch", e.freshNonce())).ok(t, im, "GetOptions")
	})
	t.Run("viewer cannot set", func(t *testing.T) {
		e.post(ImagingPath, zeepEnvelope("SetImagingSettings", im, irCutOffSet, "viewer", "watch", e.freshNonce())).
			wantFault(t, http.StatusBadRequest, "Sender", soap.SubNotAuthorized)
		if m := cam.modes(); len(m) != 0 {
			t.Errorf("a viewer set the night mode: %v", m)
		}
		if log := e.log.String(); !strings.Contains(log, "op=SetImagingSettings") || !strings.Contains(log, "needs=admin") {
			t.Errorf("log: got %q, want the refused operation and the role it needs", log)
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		e.post(ImagingPath, zeepEnvelope("GetServiceCapabilities", im, "", "", "", nil)).ok(t, im, "GetServiceCapabilities")
		e.post(ImagingPath, zeepEnvelope("GetImagingSettings", im, sourceTok, "", "", nil)).
			wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
		e.post(ImagingPath, zeepEnvelope("SetImagingSettings", im, irCutOffSet, "", "", nil)).
			wantFault(t, http.StatusUnauthorized, "Sender", soap.SubNotAuthorized)
	})
	t.Run("admin sets", func(t *testing.T) {
		e.post(ImagingPath, zeepEnvelope("SetImagingSettings", im, irCutOffSet, "admin", "secret", e.freshNonce())).ok(t, im, "SetImagingSettings")
		if m := cam.modes(); !slices.Equal(m, []string{"night"}) {
			t.Errorf("SetNight calls: got %v, want [night]", m)
		}
	})
}

// TestHomeAssistantIRLamp replays Home Assistant's IR lamp switch end to end: the imaging XAddr
// from GetCapabilities, the video source token from the profile's VideoSourceConfiguration,
// then SetImagingSettings with IrCutFilter OFF (lamp on), ON (lamp off) and AUTO.
func TestHomeAssistantIRLamp(t *testing.T) {
	e, cam := newImagingEnv(t, nil)
	d, m, im := soap.NSDevice, soap.NSMedia, soap.NSImaging
	user, pw := "admin", "secret"
	caps := e.post(DevicePath, zeepEnvelope("GetCapabilities", d, "<ns0:Category>All</ns0:Category>", user, pw, e.freshNonce())).
		ok(t, d, "GetCapabilities").Get("Capabilities")
	xaddr := caps.Value("Imaging", "XAddr")
	if !strings.HasPrefix(xaddr, e.ts.URL+"/") {
		t.Fatalf("Imaging XAddr %q: HA would create no IR lamp switch", xaddr)
	}
	path := strings.TrimPrefix(xaddr, e.ts.URL)
	p := e.post(MediaPath, zeepEnvelope("GetProfiles", m, "", user, pw, e.freshNonce())).ok(t, m, "GetProfiles").Get("Profiles")
	tok := p.Value("VideoSourceConfiguration", "SourceToken")
	read := func() string {
		t.Helper()
		return e.post(path, zeepEnvelope("GetImagingSettings", im, "<ns0:VideoSourceToken>"+tok+"</ns0:VideoSourceToken>", user, pw, e.freshNonce())).
			ok(t, im, "GetImagingSettings").Value("ImagingSettings", "IrCutFilter")
	}
	if got := read(); got != "ON" {
		t.Errorf("at start: IrCutFilter %q, want ON (day)", got)
	}
	for _, c := range []struct{ send, mode string }{{"OFF", "night"}, {"ON", "day"}, {"AUTO", "auto"}} {
		body := "<ns0:VideoSourceToken>" + tok + `</ns0:VideoSourceToken><ns0:ImagingSettings><ns1:IrCutFilter xmlns:ns1="http://www.onvif.org/ver10/schema">` + c.send + `</ns1:IrCutFilter></ns0:ImagingSettings>`
		e.post(path, zeepEnvelope("SetImagingSettings", im, body, user, pw, e.freshNonce())).ok(t, im, "SetImagingSettings")
		if ms := cam.modes(); len(ms) == 0 || ms[len(ms)-1] != c.mode {
			t.Errorf("IrCutFilter %s: SetNight calls %v, want the last %q", c.send, ms, c.mode)
		}
		if got := read(); got != c.send {
			t.Errorf("after IrCutFilter %s: GetImagingSettings says %q", c.send, got)
		}
	}
	// HA's autofocus switch is refused in words it logs.
	af := "<ns0:VideoSourceToken>" + tok + `</ns0:VideoSourceToken><ns0:ImagingSettings><ns1:Focus xmlns:ns1="http://www.onvif.org/ver10/schema"><ns1:AutoFocusMode>AUTO</ns1:AutoFocusMode></ns1:Focus></ns0:ImagingSettings>`
	e.post(path, zeepEnvelope("SetImagingSettings", im, af, user, pw, e.freshNonce())).
		wantFault(t, http.StatusBadRequest, "Sender", soap.SubInvalidArgVal, imaging.SubSettingsInvalid)
}

// npmImagingScript connects with the npm onvif client and uses its imaging calls; it prints
// one JSON line.
const npmImagingScript = `
const { Cam } = require('onvif');
const [host, port, user, pass] = process.argv.slice(1);
const out = {};
const done = () => console.log(JSON.stringify(out));
new Cam({ hostname: host, port: +port, username: user, password: pass, timeout: 5000 }, function (err) {
  if (err) { out.connectError = String(err.message || err); return done(); }
  out.imagingUri = this.uri.imaging ? this.uri.imaging.href : null;
  this.getImagingServiceCapabilities((err, caps) => {
    out.caps = err ? String(err) : caps;
    this.getImagingSettings((err, s) => {
      out.before = err ? String(err) : s;
      this.setImagingSettings({ irCutFilter: 'OFF' }, (err) => {
        out.setError = err ? String(err.message || err) : null;
        this.getImagingSettings((err, s) => {
          out.after = err ? String(err) : s;
          this.getVideoSourceOptions((err, o) => {
            out.options = err ? String(err) : o;
            this.setImagingSettings({ brightness: 50 }, (err) => {
              out.brightnessError = err ? String(err.message || err) : null;
              done();
            });
          });
        });
      });
    });
  });
});
`

// TestNPMImaging runs the real npm onvif client's imaging calls against the server.
func TestNPMImaging(t *testing.T) {
	node, mods := testutil.OnvifClient(t)
	e, cam := newImagingEnv(t, func(o *Options) { o.Now = time.Now }) // the client signs with our time
	host, port, _ := strings.Cut(strings.TrimPrefix(e.ts.URL, "http://"), ":")
	cmd := exec.Command(node, "-e", npmImagingScript, host, port, "admin", "secret")
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Clean(mods))
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, outb)
	}
	var out struct {
		ConnectError    string         `json:"connectError"`
		ImagingURI      string         `json:"imagingUri"`
		Caps            map[string]any `json:"caps"`
		Before, After   map[string]any
		SetError        *string        `json:"setError"`
		Options         map[string]any `json:"options"`
		BrightnessError *string        `json:"brightnessError"`
	}
	if err := json.Unmarshal(outb, &out); err != nil {
		t.Fatalf("node printed %q: %v", outb, err)
	}
	if out.ConnectError != "" {
		t.Fatalf("connect: %s", out.ConnectError)
	}
	if out.ImagingURI != e.ts.URL+ImagingPath {
		t.Errorf("uri.imaging: got %q, want %q", out.ImagingURI, e.ts.URL+ImagingPath)
	}
	if out.Caps["ImageStabilization"] != false {
		t.Errorf("capabilities: got %v, want ImageStabilization false", out.Caps)
	}
	if out.Before["irCutFilter"] != "ON" || out.After["irCutFilter"] != "OFF" {
		t.Errorf("irCutFilter: got %v before and %v after setting OFF, want ON then OFF", out.Before, out.After)
	}
	if out.SetError != nil {
		t.Errorf("setImagingSettings irCutFilter: %s", *out.SetError)
	}
	if modes, _ := out.Options["irCutFilterModes"].([]any); len(modes) != 3 || modes[0] != "ON" || modes[1] != "OFF" || modes[2] != "AUTO" {
		t.Errorf("getVideoSourceOptions: got %v, want irCutFilterModes [ON OFF AUTO]", out.Options)
	}
	if out.BrightnessError == nil || !strings.Contains(*out.BrightnessError, "not supported") {
		t.Errorf("setImagingSettings brightness: got error %v, want one saying not supported", out.BrightnessError)
	}
	if m := cam.modes(); !slices.Equal(m, []string{"night"}) {
		t.Errorf("SetNight calls: got %v, want [night]", m)
	}
}
