package soap

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"
)

func FuzzParseRequest(f *testing.F) {
	nonce := []byte("0123456789abcdef")
	f.Add([]byte(zeepEnvelope("GetProfiles", NSMedia, "", "admin", "secret", "2025-09-30T00:16:45+00:00", nonce)))
	f.Add([]byte(npmEnvelope("GetStreamUri", NSMedia, "<StreamSetup><Stream>RTP-Unicast</Stream></StreamSetup>", "admin", "secret", "2025-09-30T00:16:45Z", nonce)))
	f.Add([]byte(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><a:GetHostname xmlns:a="` + NSDevice + `"/></SOAP-ENV:Body></SOAP-ENV:Envelope>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`))
	f.Add([]byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseRequest(bytes.NewReader(data), 1<<16)
		if err != nil {
			ParseError(httptest.NewRecorder(), err) // must not panic either
			return
		}
		if req.Operation.Local == "" {
			t.Fatalf("accepted a request without an operation: %q", data)
		}
		if !bytes.Contains(data, req.Body) || !bytes.Contains(req.element, req.Body) {
			t.Fatalf("Body %q is not a slice of the element %q", req.Body, req.element)
		}
		var v struct {
			Inner []byte `xml:",innerxml"`
		}
		_ = req.Decode(&v)
		if req.Security != nil {
			vf := &Verifier{Secret: secrets, CheckText: func(string, string) bool { return false }, Now: func() time.Time { return testNow }}
			if user, err := vf.Verify(req.Security); err == nil && user != "admin" && user != "viewer" {
				t.Fatalf("verified unknown user %q", user)
			}
		}
	})
}
