package soaptest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Envelope is a SOAP 1.2 request whose body is op under prefix in namespace ns, with inner as
// its content and tt (the ONVIF schema) declared on the envelope.
func Envelope(prefix, ns, op, inner string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema"><soap:Body><%[1]s:%[2]s xmlns:%[1]s="%[3]s">%[4]s</%[1]s:%[2]s></soap:Body></soap:Envelope>`, prefix, op, ns, inner)
}

// Serve runs one request envelope through svc as the dispatcher would for an authenticated
// admin, posted to path, and returns the HTTP status and body. The operation must be one svc
// implements.
func Serve(t testing.TB, svc soap.Service, path, env string) (int, []byte) {
	t.Helper()
	req, err := soap.ParseRequest(strings.NewReader(env), 0)
	if err != nil {
		t.Fatalf("parse request: %v", err)
	}
	if _, ok := svc.Access(req.Operation.Local); !ok {
		t.Fatalf("Access(%s): not implemented", req.Operation.Local)
	}
	rec := httptest.NewRecorder()
	hr := httptest.NewRequest(http.MethodPost, path, strings.NewReader(env))
	svc.ServeSOAP(rec, hr, &soap.Call{Req: req, User: "admin", Admin: true, BaseURL: "http://192.0.2.2:8080"})
	return rec.Code, rec.Body.Bytes()
}
