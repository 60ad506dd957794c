package imaging

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
	"github.com/freecam/freecam/internal/onvif/soap/soaptest"
)

// fakeCamera is the camera's night mode as the Service sees it: SetNight
// changes what Night reports, as camera.SetNightMode does, and records the
// modes it was given.
type fakeCamera struct {
	mu      sync.Mutex
	night   bool
	auto    bool
	set     []string
	failSet error // SetNight's error when set
}

func (f *fakeCamera) Night() (night, auto bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.night, f.auto
}

func (f *fakeCamera) SetNight(ctx context.Context, mode string) error {
	if ctx == nil {
		return errors.New("no context")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = append(f.set, mode)
	if f.failSet != nil {
		return f.failSet
	}
	switch mode {
	case ModeDay:
		f.night, f.auto = false, false
	case ModeNight:
		f.night, f.auto = true, false
	case ModeAuto:
		f.auto = true
	default:
		return fmt.Errorf("night mode must be day, night or auto (got %q)", mode)
	}
	return nil
}

func (f *fakeCamera) modes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.set...)
}

type fixture struct {
	s   *Service
	cam *fakeCamera
	log *bytes.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{cam: &fakeCamera{}, log: &bytes.Buffer{}}
	s, err := New(Options{Night: f.cam.Night, SetNight: f.cam.SetNight, Log: slog.New(slog.NewTextHandler(f.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	return f
}

// envelope is a SOAP 1.2 request with the operation in the timg namespace.
func envelope(op, inner string) string {
	return soaptest.Envelope("timg", "http://www.onvif.org/ver20/imaging/wsdl", op, inner)
}

const source = `<timg:VideoSourceToken>VideoSource_1</timg:VideoSourceToken>`

// call runs op (in envelope) through the Service as the dispatcher would,
// after authenticating an admin.
func (f *fixture) call(t testing.TB, op, inner string) *reply {
	t.Helper()
	return f.raw(t, envelope(op, inner))
}

// raw runs a whole request envelope through the Service.
func (f *fixture) raw(t testing.TB, env string) *reply {
	t.Helper()
	status, body := soaptest.Serve(t, f.s, "/onvif/imaging_service", env)
	rp := &reply{status: status, raw: body}
	if err := xml.Unmarshal(rp.raw, &rp.env); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, rp.raw)
	}
	if rp.env.XMLName.Space != soap.NSSoap12 || rp.env.XMLName.Local != "Envelope" {
		t.Fatalf("response root: got %v, want a SOAP 1.2 Envelope\n%s", rp.env.XMLName, rp.raw)
	}
	return rp
}

type reply struct {
	status int
	raw    []byte
	env    node
}

// node is a parsed XML element (soaptest.Node).
type node = soaptest.Node

// names lists the children's namespace-qualified names.
func names(n *node) []string {
	var out []string
	for _, c := range n.Nodes {
		out = append(out, prefixOf(c.XMLName.Space)+":"+c.XMLName.Local)
	}
	return out
}

func prefixOf(ns string) string {
	switch ns {
	case soap.NSImaging:
		return "timg"
	case soap.NSSchema:
		return "tt"
	}
	return "{" + ns + "}"
}

// ok fails unless the reply is a 200 timg:<op>Response and returns it.
func (r *reply) ok(t testing.TB, op string) *node {
	t.Helper()
	b := r.env.Get("Body")
	if r.status != http.StatusOK || b == nil || len(b.Nodes) != 1 ||
		b.Nodes[0].XMLName != (xml.Name{Space: soap.NSImaging, Local: op + "Response"}) {
		t.Fatalf("%s: got status %d\n%s\nwant 200 and timg:%sResponse", op, r.status, r.raw, op)
	}
	return b.Nodes[0]
}

// wantFault fails unless the reply is a fault with this status, code and
// subcodes; it returns the reason.
func (r *reply) wantFault(t testing.TB, status int, code string, subcodes ...string) string {
	t.Helper()
	f := r.env.Get("Body", "Fault")
	if f == nil {
		t.Fatalf("got status %d and no fault, want a %s fault\n%s", r.status, code, r.raw)
	}
	c := f.Get("Code")
	got := []string{strings.TrimSpace(c.Get("Value").Text)}
	for s := c.Get("Subcode"); s != nil; s = s.Get("Subcode") {
		got = append(got, strings.TrimSpace(s.Get("Value").Text))
	}
	want := append([]string{"env:" + code}, subcodes...)
	if r.status != status || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got fault %d %v, want %d %v\n%s", r.status, got, status, want, r.raw)
	}
	return strings.TrimSpace(f.Get("Reason", "Text").Text)
}

func xmlName(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newRequest() *http.Request {
	return httptest.NewRequest(http.MethodPost, "/onvif/imaging_service", nil)
}
