package soap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// WriteResponse writes a 200 response envelope in version with body as the Body's content:
// body is []byte (raw XML, written as is), nil (an empty Body, e.g. for SetSynchronizationPoint)
// or a value xml.Marshal accepts. The envelope declares the prefixes listed at nsDecls, so body
// may use names such as `xml:"tds:GetHostnameResponse"`. When body cannot be marshalled it
// writes a Receiver fault (500) instead and returns the error.
func WriteResponse(w http.ResponseWriter, version Version, body any) error {
	var inner []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		inner = b
	default:
		var err error
		if inner, err = xml.Marshal(body); err != nil {
			err = fmt.Errorf("soap: marshal %T: %w", body, err)
			WriteFault(w, version, Receiver, nil, "internal error", http.StatusInternalServerError)
			return err
		}
	}
	write(w, version, http.StatusOK, inner)
	return nil
}

// write sends one envelope around inner.
func write(w http.ResponseWriter, version Version, status int, inner []byte) {
	var b bytes.Buffer
	b.Grow(len(inner) + len(nsDecls) + 256)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<env:Envelope xmlns:env="`)
	b.WriteString(version.Namespace())
	b.WriteString(`"` + nsDecls + `><env:Body>`)
	b.Write(inner)
	b.WriteString(`</env:Body></env:Envelope>`)
	h := w.Header()
	h.Set("Content-Type", version.ContentType())
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes()) //nolint:errcheck // the client went away; nothing to do
}
