package onvif

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// FuzzServer posts arbitrary bodies to the handler: it must never panic, and every answer must
// be a well-formed SOAP envelope with a status that matches it (200 response or a fault).
func FuzzServer(f *testing.F) {
	e := newTestEnv(f, func(o *Options) {
		o.MaxBody = 1 << 14
		o.Log = slog.New(slog.DiscardHandler) // refused logins would pile up in memory
	})
	nonce := []byte("0123456789abcdef")
	for _, s := range []string{
		zeepEnvelope("GetProfiles", soap.NSMedia, "", "admin", "secret", nonce),
		zeepEnvelope("GetCapabilities", soap.NSDevice, "<ns0:Category>All</ns0:Category>", "", "", nil),
		zeepEnvelope("GetStreamUri", soap.NSMedia, profileTok, "viewer", "watch", nonce),
		zeepEnvelope("SetSystemDateAndTime", soap.NSDevice, "<ns0:DateTimeType>Manual</ns0:DateTimeType><ns0:UTCDateTime><Time><Hour>x</Hour></Time></ns0:UTCDateTime>", "admin", "secret", nonce),
		npmEnvelope("GetServices", soap.NSDevice, "<IncludeCapability>true</IncludeCapability>", "admin", "secret", nonce),
		npmEnvelope("GetVideoEncoderConfigurationOptions", soap.NSMedia, "<ConfigurationToken>VideoEncoderConfig_1</ConfigurationToken>", "admin", "secret", nonce),
		npmEnvelope("DeleteProfile", soap.NSMedia, "<ProfileToken>a</ProfileToken>", "", "", nil),
		npmEnvelope("PullMessages", soap.NSEvents, "", "admin", "secret", nonce),
		`<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><a:GetHostname xmlns:a="` + soap.NSDevice + `"/></SOAP-ENV:Body></SOAP-ENV:Envelope>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><x/>`,
		`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`,
	} {
		f.Add([]byte(s))
	}
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{DevicePath, SnapshotPath} {
			req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			req.Host = "192.0.2.2:8080"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if path == SnapshotPath {
				if rec.Code != http.StatusMethodNotAllowed {
					t.Fatalf("POST snapshot: got %d, want 405", rec.Code)
				}
				continue
			}
			env, err := parseEnvelope(rec.Body.Bytes())
			if err != nil {
				t.Fatalf("status %d: not a SOAP envelope: %v\n%s", rec.Code, err, rec.Body.Bytes())
			}
			b := env.Get("Body")
			isFault := len(b.Nodes) > 0 && b.Nodes[0].XMLName.Local == "Fault"
			if isFault == (rec.Code == http.StatusOK) {
				t.Fatalf("status %d with fault %v:\n%s", rec.Code, isFault, rec.Body.Bytes())
			}
		}
	})
}
