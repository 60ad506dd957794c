package mdns

import (
	"errors"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		err  string // "" = accepted
	}{
		{"firmware default", Options{Host: "DAFANG", Services: []Service{RTSP(8554), HTTPS(443), ONVIF(80)}}, ""},
		{"fqdn keeps the first label", Options{Host: "cam.example.org", Services: []Service{RTSP(8554)}}, ""},
		{"bad host", Options{Host: "my_cam"}, `host name "my_cam"`},
		{"host starting with dash", Options{Host: "-cam"}, `host name "-cam"`},
		{"bad type", Options{Host: "cam", Services: []Service{{Type: "rtsp", Port: 1}}}, `type "rtsp" is not of the form`},
		{"bad proto", Options{Host: "cam", Services: []Service{{Type: "_rtsp._sctp", Port: 1}}}, `type "_rtsp._sctp"`},
		{"port 0", Options{Host: "cam", Services: []Service{RTSP(0)}}, "port 0 is not 1-65535"},
		{"port too big", Options{Host: "cam", Services: []Service{HTTPS(70000)}}, "port 70000"},
		{"txt key with =", Options{Host: "cam", Services: []Service{{Type: "_http._tcp", Port: 80, Text: map[string]string{"a=b": "c"}}}}, `TXT "a=b"`},
		{"twice", Options{Host: "cam", Services: []Service{RTSP(8554), RTSP(554)}}, `_rtsp._tcp "cam" is listed twice`},
		{"two names of one type", Options{Host: "cam", Services: []Service{RTSP(8554), {Name: "cam second", Type: TypeRTSP, Port: 554}}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := New(c.opts)
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case c.err != "" && err == nil:
				t.Fatalf("got no error, want one containing %q", c.err)
			case c.err != "" && !strings.Contains(err.Error(), c.err):
				t.Fatalf("got %v, want it to contain %q", err, c.err)
			case c.err == "":
				want, _, _ := strings.Cut(c.opts.Host, ".")
				if r.Host() != want {
					t.Errorf("Host: got %q, want %q", r.Host(), want)
				}
				for _, s := range r.want {
					if s.Name == "" {
						t.Errorf("service %s: empty name, want the host's", s.Type)
					}
				}
			}
		})
	}
}

func TestUpdateBeforeRun(t *testing.T) {
	r, err := New(Options{Host: "cam", Services: []Service{RTSP(8554)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Update([]Service{RTSP(8554), HTTPS(443)}); err != nil {
		t.Fatal(err)
	}
	if len(r.want) != 2 || r.want[1].Name != "cam" || r.want[1].Text["path"] != "/" {
		t.Errorf("got %+v, want RTSP and HTTPS named cam", r.want)
	}
	if err := r.Update([]Service{RTSP(0)}); err == nil {
		t.Error("Update with port 0: got no error")
	}
	if len(r.want) != 2 {
		t.Errorf("a refused Update changed the list: got %+v", r.want)
	}
	// The caller's map is copied.
	s := HTTPS(443)
	if err := r.Update([]Service{s}); err != nil {
		t.Fatal(err)
	}
	s.Text["path"] = "/changed"
	if r.want[0].Text["path"] != "/" {
		t.Errorf("the responder shares the caller's TXT map: got %q", r.want[0].Text["path"])
	}
}

func TestRunTwice(t *testing.T) {
	r, err := New(Options{Host: "cam"})
	if err != nil {
		t.Fatal(err)
	}
	r.running.Store(true) // as if a Run were serving
	if err := r.Run(t.Context()); err == nil || errors.Is(err, ErrNoInterface) {
		t.Fatalf("second Run: got %v, want 'Run called twice'", err)
	}
}
