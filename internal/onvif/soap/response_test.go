package soap

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wireFault is a SOAP 1.2 fault as a client reads it, with up to two nested subcodes.
type wireFault struct {
	Body struct {
		Fault *struct {
			Code struct {
				Value   string `xml:"Value"`
				Subcode struct {
					Value   string `xml:"Value"`
					Subcode struct {
						Value string `xml:"Value"`
					} `xml:"Subcode"`
				} `xml:"Subcode"`
			} `xml:"Code"`
			Reason string `xml:"Reason>Text"`
			// SOAP 1.1
			FaultCode   string   `xml:"faultcode"`
			FaultString string   `xml:"faultstring"`
			Detail      []string `xml:"detail>Subcode"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

func TestWriteFault(t *testing.T) {
	tests := []struct {
		name        string
		write       func(http.ResponseWriter)
		version     Version
		status      int
		code, sub   string
		sub2        string
		reason      string
		contentType string
	}{
		{"not authorized", func(w http.ResponseWriter) { NotAuthorized(w, V12) }, V12, 400, "env:Sender", "ter:NotAuthorized", "", "Sender not Authorized", "application/soap+xml; charset=utf-8"},
		{"not implemented", func(w http.ResponseWriter) { NotImplemented(w, V12) }, V12, 500, "env:Receiver", "ter:ActionNotSupported", "", "Optional Action Not Implemented", "application/soap+xml; charset=utf-8"},
		{"nested subcodes", func(w http.ResponseWriter) {
			WriteFault(w, V12, Receiver, []string{"ter:Action", "ter:MaxNVTProfiles"}, "Max profiles <reached> & more", 0)
		}, V12, 500, "env:Receiver", "ter:Action", "ter:MaxNVTProfiles", "Max profiles <reached> & more", "application/soap+xml; charset=utf-8"},
		{"sender default status", func(w http.ResponseWriter) { WriteFault(w, V12, Sender, nil, "bad", 0) }, V12, 400, "env:Sender", "", "", "bad", "application/soap+xml; charset=utf-8"},
		{"soap 1.1", func(w http.ResponseWriter) { NotAuthorized(w, V11) }, V11, 400, "env:Client", "ter:NotAuthorized", "", "Sender not Authorized", "text/xml; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("content type: got %q, want %q", got, tt.contentType)
			}
			// The fault is itself a well-formed envelope of the right version.
			var env struct {
				XMLName xml.Name
			}
			if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("fault XML: %v\n%s", err, rec.Body)
			}
			if env.XMLName.Space != tt.version.Namespace() || env.XMLName.Local != "Envelope" {
				t.Errorf("root: got %v, want {%s Envelope}", env.XMLName, tt.version.Namespace())
			}
			var f wireFault
			if err := xml.Unmarshal(rec.Body.Bytes(), &f); err != nil || f.Body.Fault == nil {
				t.Fatalf("fault: got %v, %+v\n%s", err, f, rec.Body)
			}
			ft := f.Body.Fault
			if tt.version == V11 {
				if ft.FaultCode != tt.code || ft.FaultString != tt.reason || len(ft.Detail) != 1 || ft.Detail[0] != tt.sub {
					t.Errorf("got code %q reason %q detail %q, want %q %q [%q]", ft.FaultCode, ft.FaultString, ft.Detail, tt.code, tt.reason, tt.sub)
				}
				return
			}
			if ft.Code.Value != tt.code || ft.Code.Subcode.Value != tt.sub || ft.Code.Subcode.Subcode.Value != tt.sub2 {
				t.Errorf("code: got %q/%q/%q, want %q/%q/%q", ft.Code.Value, ft.Code.Subcode.Value, ft.Code.Subcode.Subcode.Value, tt.code, tt.sub, tt.sub2)
			}
			if ft.Reason != tt.reason {
				t.Errorf("reason: got %q, want %q", ft.Reason, tt.reason)
			}
		})
	}
	// HA looks for "not implemented" in the fault text.
	rec := httptest.NewRecorder()
	NotImplemented(rec, V12)
	if !strings.Contains(strings.ToLower(rec.Body.String()), "not implemented") {
		t.Errorf("NotImplemented body lacks %q: %s", "not implemented", rec.Body)
	}
}

func TestParseErrorFaults(t *testing.T) {
	ok := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetHostname xmlns="` + NSDevice + `"/></s:Body></s:Envelope>`
	ok11 := strings.ReplaceAll(ok, NSSoap12, NSSoap11)
	tests := []struct {
		name     string
		in       string
		limit    int64
		status   int
		code     string
		sub      string
		wantType string
	}{
		{"garbage", "<<<", 0, 400, "env:Sender", "ter:WellFormed", "application/soap+xml; charset=utf-8"},
		{"doctype", `<!DOCTYPE x []>` + ok, 0, 400, "env:Sender", "ter:WellFormed", "application/soap+xml; charset=utf-8"},
		{"oversize", ok, 10, 413, "env:Sender", "", "application/soap+xml; charset=utf-8"},
		{"foreign envelope", strings.ReplaceAll(ok, NSSoap12, "urn:x"), 0, 400, "env:VersionMismatch", "", "application/soap+xml; charset=utf-8"},
		{"soap 1.1 truncated", ok11[:len(ok11)-5], 0, 400, "env:Client", "ter:WellFormed", "text/xml; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest(strings.NewReader(tt.in), tt.limit)
			if err == nil {
				t.Fatal("ParseRequest: got nil, want an error")
			}
			rec := httptest.NewRecorder()
			ParseError(rec, err)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("content type: got %q, want %q", got, tt.wantType)
			}
			var f wireFault
			if err := xml.Unmarshal(rec.Body.Bytes(), &f); err != nil || f.Body.Fault == nil {
				t.Fatalf("fault: got %v\n%s", err, rec.Body)
			}
			code, sub := f.Body.Fault.Code.Value, f.Body.Fault.Code.Subcode.Value
			if strings.HasPrefix(tt.wantType, "text/xml") {
				code, sub = f.Body.Fault.FaultCode, strings.Join(f.Body.Fault.Detail, " ")
			}
			if code != tt.code || sub != tt.sub {
				t.Errorf("code: got %q/%q, want %q/%q", code, sub, tt.code, tt.sub)
			}
		})
	}
	t.Run("max bytes reader", func(t *testing.T) {
		rec := httptest.NewRecorder()
		body := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(ok)), 8)
		_, err := ParseRequest(body, 0)
		ParseError(rec, err)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status: got %d, want 413 (err %v)", rec.Code, err)
		}
	})
	t.Run("unrelated error", func(t *testing.T) {
		rec := httptest.NewRecorder()
		ParseError(rec, errors.New("boom"))
		if rec.Code != 400 {
			t.Errorf("status: got %d, want 400", rec.Code)
		}
	})
}

type getHostnameResponse struct {
	XMLName  xml.Name `xml:"tds:GetHostnameResponse"`
	FromDHCP bool     `xml:"tds:HostnameInformation>tt:FromDHCP"`
	Name     string   `xml:"tds:HostnameInformation>tt:Name"`
}

func TestWriteResponseRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		version Version
		body    any
		wantOp  xml.Name
		check   func(t *testing.T, r *Request)
	}{
		{"struct with prefixed names", V12, getHostnameResponse{Name: "cam<1>&"}, xml.Name{Space: NSDevice, Local: "GetHostnameResponse"}, func(t *testing.T, r *Request) {
			var v struct {
				Info struct {
					Name string `xml:"http://www.onvif.org/ver10/schema Name"`
				} `xml:"http://www.onvif.org/ver10/device/wsdl HostnameInformation"`
			}
			if err := r.Decode(&v); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if v.Info.Name != "cam<1>&" {
				t.Errorf("name: got %q, want %q", v.Info.Name, "cam<1>&")
			}
		}},
		{"raw bytes soap 1.1", V11, []byte(`<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://10.0.0.2:554/ch0</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>`), xml.Name{Space: NSMedia, Local: "GetStreamUriResponse"}, func(t *testing.T, r *Request) {
			if want := `<trt:MediaUri><tt:Uri>rtsp://10.0.0.2:554/ch0</tt:Uri></trt:MediaUri>`; string(r.Body) != want {
				t.Errorf("body: got %q, want %q", r.Body, want)
			}
		}},
		{"topic namespace in content", V12, []byte(`<tev:PullMessagesResponse><wsnt:NotificationMessage><wsnt:Topic>tns1:VideoSource/MotionAlarm</wsnt:Topic></wsnt:NotificationMessage></tev:PullMessagesResponse>`), xml.Name{Space: NSEvents, Local: "PullMessagesResponse"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := WriteResponse(rec, tt.version, tt.body); err != nil {
				t.Fatalf("WriteResponse: %v", err)
			}
			if rec.Code != 200 {
				t.Errorf("status: got %d, want 200", rec.Code)
			}
			if got, want := rec.Header().Get("Content-Type"), tt.version.ContentType(); got != want {
				t.Errorf("content type: got %q, want %q", got, want)
			}
			if got, want := rec.Header().Get("Content-Length"), fmt.Sprint(rec.Body.Len()); got != want {
				t.Errorf("content length: got %s, want %s", got, want)
			}
			for _, p := range []string{"tds", "trt", "tev", "tptz", "timg", "tt", "wsnt", "wsa", "wstop", "tns1", "ter", "xs"} {
				if !strings.Contains(rec.Body.String(), ` xmlns:`+p+`="`) {
					t.Errorf("envelope does not declare %s", p)
				}
			}
			// Our own parser reads the envelope back: version, operation and content survive.
			r, err := ParseRequest(rec.Body, 0)
			if err != nil {
				t.Fatalf("parse response: %v\n%s", err, rec.Body)
			}
			if r.Version != tt.version || r.Operation != tt.wantOp {
				t.Errorf("got %v %v, want %v %v", r.Version, r.Operation, tt.version, tt.wantOp)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestWriteResponseEmptyAndError(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteResponse(rec, V12, nil); err != nil {
		t.Fatalf("WriteResponse(nil): %v", err)
	}
	if !strings.HasSuffix(rec.Body.String(), "<env:Body></env:Body></env:Envelope>") {
		t.Errorf("empty body: got %s", rec.Body)
	}
	rec = httptest.NewRecorder()
	err := WriteResponse(rec, V12, make(chan int))
	if err == nil {
		t.Fatal("WriteResponse(chan): got nil, want an error")
	}
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "env:Receiver") {
		t.Errorf("got %d %s, want a 500 Receiver fault", rec.Code, rec.Body)
	}
}
