package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseRequestClients(t *testing.T) {
	nonce := []byte("0123456789abcdef")
	created := "2025-09-30T00:16:45+00:00"
	streamInner := `<ns0:StreamSetup><ns1:Stream xmlns:ns1="http://www.onvif.org/ver10/schema">RTP-Unicast</ns1:Stream></ns0:StreamSetup><ns0:ProfileToken>main</ns0:ProfileToken>`
	tests := []struct {
		name      string
		env       string
		wantOp    xml.Name
		wantBody  string
		wantMsgID string
	}{
		{
			name:      "zeep GetProfiles",
			env:       zeepEnvelope("GetProfiles", NSMedia, "", "admin", "secret", created, nonce),
			wantOp:    xml.Name{Space: NSMedia, Local: "GetProfiles"},
			wantMsgID: "urn:uuid:0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6",
		},
		{
			name:      "zeep GetStreamUri",
			env:       zeepEnvelope("GetStreamUri", NSMedia, streamInner, "admin", "secret", created, nonce),
			wantOp:    xml.Name{Space: NSMedia, Local: "GetStreamUri"},
			wantBody:  streamInner,
			wantMsgID: "urn:uuid:0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6",
		},
		{
			name:     "npm onvif GetCapabilities",
			env:      npmEnvelope("GetCapabilities", NSDevice, "<Category>All</Category>", "admin", "secret", "2025-09-30T00:16:45.123Z", nonce),
			wantOp:   xml.Name{Space: NSDevice, Local: "GetCapabilities"},
			wantBody: "<Category>All</Category>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(strings.NewReader(tt.env), 0)
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			if req.Version != V12 {
				t.Errorf("version: got %v, want 1.2", req.Version)
			}
			if req.Operation != tt.wantOp {
				t.Errorf("operation: got %v, want %v", req.Operation, tt.wantOp)
			}
			if string(req.Body) != tt.wantBody {
				t.Errorf("body: got %q, want %q", req.Body, tt.wantBody)
			}
			if req.MessageID != tt.wantMsgID {
				t.Errorf("message id: got %q, want %q", req.MessageID, tt.wantMsgID)
			}
			tok := req.Security
			if tok == nil {
				t.Fatal("security: got nil, want a UsernameToken")
			}
			if tok.Username != "admin" || tok.PasswordType != PasswordDigest || !bytes.Equal(tok.Nonce, nonce) {
				t.Errorf("token: got user %q type %v nonce %q, want admin Digest %q", tok.Username, tok.PasswordType, tok.Nonce, nonce)
			}
			v := &Verifier{Secret: secrets, Now: func() time.Time { return testNow }}
			if user, err := v.Verify(tok); err != nil || user != "admin" {
				t.Errorf("verify: got %q, %v; want admin, nil", user, err)
			}
		})
	}
}

func TestRequestDecode(t *testing.T) {
	inner := `<ns0:StreamSetup><ns1:Stream xmlns:ns1="http://www.onvif.org/ver10/schema">RTP-Unicast</ns1:Stream></ns0:StreamSetup><ns0:ProfileToken>main</ns0:ProfileToken>`
	// The operation's prefix is declared on the Envelope, so Body alone is not self-contained.
	env := `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="` + NSMedia + `" xmlns:tt="` + NSSchema + `"><e:Body><trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream></trt:StreamSetup><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri></e:Body></e:Envelope>`
	type getStreamURI struct {
		XMLName xml.Name `xml:"http://www.onvif.org/ver10/media/wsdl GetStreamUri"`
		Setup   struct {
			Stream string `xml:"http://www.onvif.org/ver10/schema Stream"`
		} `xml:"http://www.onvif.org/ver10/media/wsdl StreamSetup"`
		Token string `xml:"http://www.onvif.org/ver10/media/wsdl ProfileToken"`
	}
	for name, e := range map[string]string{
		"prefixes on envelope": env,
		"zeep":                 zeepEnvelope("GetStreamUri", NSMedia, inner, "u", "p", "x", nil),
	} {
		t.Run(name, func(t *testing.T) {
			req, err := ParseRequest(strings.NewReader(e), 0)
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			var got getStreamURI
			if err := req.Decode(&got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Setup.Stream != "RTP-Unicast" || got.Token != "main" {
				t.Errorf("got stream %q token %q, want RTP-Unicast main", got.Setup.Stream, got.Token)
			}
		})
	}
}

func TestParseRequestSOAP11(t *testing.T) {
	env := `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	req, err := ParseRequest(strings.NewReader(env), 0)
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	if req.Version != V11 || req.Operation.Local != "GetSystemDateAndTime" || req.Security != nil || len(req.Body) != 0 {
		t.Errorf("got version %v op %v security %v body %q, want 1.1 GetSystemDateAndTime nil empty", req.Version, req.Operation, req.Security, req.Body)
	}
}

func TestParseRequestPasswordText(t *testing.T) {
	env := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><wsse:Security xmlns:wsse="` + NSWSSE + `"><wsse:UsernameToken><wsse:Username>viewer</wsse:Username><wsse:Password Type="` + TypePasswordText + `"> pa ss </wsse:Password></wsse:UsernameToken></wsse:Security></s:Header><s:Body><GetHostname xmlns="` + NSDevice + `"/></s:Body></s:Envelope>`
	req, err := ParseRequest(strings.NewReader(env), 0)
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	tok := req.Security
	if tok == nil || tok.PasswordType != PasswordText || tok.Password != " pa ss " || tok.Nonce != nil || tok.Created != "" {
		t.Fatalf("got %+v, want a PasswordText token with password %q", tok, " pa ss ")
	}
}

func TestParseRequestErrors(t *testing.T) {
	ok := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetHostname xmlns="` + NSDevice + `"/></s:Body></s:Envelope>`
	tests := []struct {
		name  string
		in    string
		limit int64
		want  error // nil: any *RequestError
	}{
		{"empty", "", 0, nil},
		{"garbage", "\x00\xffnot xml at all <<<", 0, nil},
		{"truncated", ok[:len(ok)-12], 0, nil},
		{"truncated in body", ok[:70], 0, nil},
		{"mismatched tags", strings.Replace(ok, "</s:Body>", "</s:Bod>", 1), 0, nil},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]>` + ok, 0, ErrDoctype},
		{"billion laughs", `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&lol2;</x></s:Body></s:Envelope>`, 0, ErrDoctype},
		{"external entity", `<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&xxe;</x></s:Body></s:Envelope>`, 0, ErrDoctype},
		{"undefined entity", strings.Replace(ok, "<GetHostname", "<GetHostname a=\"&xxe;\"", 1), 0, nil},
		{"oversize", ok, int64(len(ok) - 1), ErrTooLarge},
		{"not an envelope", `<html><body/></html>`, 0, ErrNotEnvelope},
		{"foreign namespace", `<s:Envelope xmlns:s="urn:other"><s:Body><x/></s:Body></s:Envelope>`, 0, ErrVersionMismatch},
		{"no body", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/></s:Envelope>`, 0, ErrNoBody},
		{"empty body", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body> </s:Body></s:Envelope>`, 0, ErrNoOperation},
		{"two bodies", strings.Replace(ok, "</s:Envelope>", "<s:Body><x/></s:Body></s:Envelope>", 1), 0, nil},
		{"second root", ok + "<x/>", 0, nil},
		{"text after root", ok + "junk", 0, nil},
		{"bad security", strings.Replace(ok, "<s:Body>", `<s:Header><wsse:Security xmlns:wsse="`+NSWSSE+`"><wsse:UsernameToken><wsse:Username>a</wsse:Password></wsse:UsernameToken></wsse:Security></s:Header><s:Body>`, 1), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(strings.NewReader(tt.in), tt.limit)
			if err == nil {
				t.Fatalf("got request %+v, want an error", req)
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Errorf("got %T %v, want a *RequestError", err, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseRequestLimitExact(t *testing.T) {
	ok := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetHostname xmlns="` + NSDevice + `"/></s:Body></s:Envelope>`
	if _, err := ParseRequest(strings.NewReader(ok), int64(len(ok))); err != nil {
		t.Errorf("a body of exactly the limit: got %v, want nil", err)
	}
	big := strings.Replace(ok, "<s:Body>", "<s:Body><!--"+strings.Repeat("x", DefaultLimit)+"-->", 1)
	if _, err := ParseRequest(strings.NewReader(big), 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("default limit: got %v, want ErrTooLarge", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestParseRequestReadError(t *testing.T) {
	if _, err := ParseRequest(errReader{}, 0); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("got %v, want io.ErrClosedPipe wrapped", err)
	}
}

// A request in another encoding is refused with a fault that says so, not "malformed".
func TestOtherEncodingRefusedByName(t *testing.T) {
	body := `<?xml version="1.0" encoding="ISO-8859-1"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>`
	_, err := ParseRequest(strings.NewReader(body), 0)
	if !errors.Is(err, ErrEncoding) {
		t.Fatalf("got %v, want ErrEncoding", err)
	}
	w := httptest.NewRecorder()
	ParseError(w, err)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "only UTF-8 requests are accepted") {
		t.Errorf("got %d %s, want 400 naming UTF-8", w.Code, w.Body.String())
	}
}
