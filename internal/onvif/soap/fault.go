package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
)

// Code is a SOAP fault code.
type Code string

// Fault codes (SOAP 1.2 names; SOAP 1.1 writes Client, Server and VersionMismatch).
const (
	Sender          Code = "Sender"
	Receiver        Code = "Receiver"
	VersionMismatch Code = "VersionMismatch"
)

// ONVIF fault subcodes and reasons (ONVIF Core, "Generic faults").
const (
	SubNotAuthorized      = "ter:NotAuthorized"
	SubActionNotSupported = "ter:ActionNotSupported"
	SubWellFormed         = "ter:WellFormed"
	SubInvalidArgVal      = "ter:InvalidArgVal"
	SubAction             = "ter:Action"

	ReasonNotAuthorized  = "Sender not Authorized"
	ReasonNotImplemented = "Optional Action Not Implemented" // HA looks for "not implemented"
)

// WriteFault writes a SOAP fault. subcodes are QNames with a declared prefix (ter:, tev:, …),
// nested outermost first as SOAP 1.2 Subcode/Value elements; SOAP 1.1, which has no subcodes,
// gets them as ter:Subcode elements in detail. status 0 means 400 for Sender and
// VersionMismatch, 500 for Receiver (the SOAP 1.2 HTTP binding).
func WriteFault(w http.ResponseWriter, version Version, code Code, subcodes []string, reason string, status int) {
	if status == 0 {
		status = http.StatusBadRequest
		if code == Receiver {
			status = http.StatusInternalServerError
		}
	}
	var b bytes.Buffer
	if version == V11 {
		c := map[Code]string{Sender: "Client", Receiver: "Server"}[code]
		if c == "" {
			c = string(code)
		}
		b.WriteString(`<env:Fault><faultcode>env:`)
		b.WriteString(c)
		b.WriteString(`</faultcode><faultstring>`)
		xml.EscapeText(&b, []byte(reason)) //nolint:errcheck
		b.WriteString(`</faultstring>`)
		if len(subcodes) > 0 {
			b.WriteString(`<detail>`)
			for _, s := range subcodes {
				b.WriteString(`<ter:Subcode>`)
				xml.EscapeText(&b, []byte(s)) //nolint:errcheck
				b.WriteString(`</ter:Subcode>`)
			}
			b.WriteString(`</detail>`)
		}
		b.WriteString(`</env:Fault>`)
	} else {
		b.WriteString(`<env:Fault><env:Code><env:Value>env:`)
		b.WriteString(string(code))
		b.WriteString(`</env:Value>`)
		for _, s := range subcodes {
			b.WriteString(`<env:Subcode><env:Value>`)
			xml.EscapeText(&b, []byte(s)) //nolint:errcheck
			b.WriteString(`</env:Value>`)
		}
		for range subcodes {
			b.WriteString(`</env:Subcode>`)
		}
		b.WriteString(`</env:Code><env:Reason><env:Text xml:lang="en">`)
		xml.EscapeText(&b, []byte(reason)) //nolint:errcheck
		b.WriteString(`</env:Text></env:Reason></env:Fault>`)
	}
	write(w, version, status, b.Bytes())
}

// NotAuthorized writes the Sender/ter:NotAuthorized fault with HTTP 400, the answer to a
// missing or refused UsernameToken (*AuthError).
func NotAuthorized(w http.ResponseWriter, version Version) {
	WriteFault(w, version, Sender, []string{SubNotAuthorized}, ReasonNotAuthorized, http.StatusBadRequest)
}

// NotImplemented writes the Receiver/ter:ActionNotSupported fault, reason "Optional Action Not
// Implemented", with HTTP 500: the answer to an operation the service does not implement.
func NotImplemented(w http.ResponseWriter, version Version) {
	WriteFault(w, version, Receiver, []string{SubActionNotSupported}, ReasonNotImplemented, http.StatusInternalServerError)
}

// ParseError writes the fault for an error from ParseRequest (or from reading the body): 413
// with a Sender fault for ErrTooLarge or *http.MaxBytesError, env:VersionMismatch (400) for a
// foreign envelope namespace, and Sender/ter:WellFormed (400) for everything else. The fault
// is in the request's SOAP version when it was recognised. The reason never echoes the body.
func ParseError(w http.ResponseWriter, err error) {
	version := V12
	var re *RequestError
	if errors.As(err, &re) {
		version = re.Version
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, ErrTooLarge) || errors.As(err, &mbe):
		WriteFault(w, version, Sender, nil, "request body too large", http.StatusRequestEntityTooLarge)
	case errors.Is(err, ErrVersionMismatch):
		WriteFault(w, version, VersionMismatch, nil, "unsupported SOAP envelope namespace", http.StatusBadRequest)
	case errors.Is(err, ErrEncoding):
		WriteFault(w, version, Sender, []string{SubWellFormed}, ErrEncoding.Error(), http.StatusBadRequest)
	case errors.Is(err, ErrDoctype):
		WriteFault(w, version, Sender, []string{SubWellFormed}, "DOCTYPE is not allowed", http.StatusBadRequest)
	default:
		WriteFault(w, version, Sender, []string{SubWellFormed}, "malformed SOAP request", http.StatusBadRequest)
	}
}
