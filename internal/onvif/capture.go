package onvif

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

// capture is an http.ResponseWriter that keeps a response in memory, for asking another
// service a question on the client's behalf (GetServices' capabilities).
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newCapture() *capture { return &capture{header: make(http.Header)} }

func (c *capture) Header() http.Header { return c.header }

func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}

// responseChild returns the raw bytes of the first child element of the response element in a
// response envelope (Envelope/Body/Response/child), nil when there is none. The bytes use the
// prefixes the envelope declares, which every response envelope declares alike.
func responseChild(env []byte) []byte {
	d := xml.NewDecoder(bytes.NewReader(env))
	depth := 0
	var start int64 = -1
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 4 && start < 0 {
				start = off
			}
		case xml.EndElement:
			depth--
			if depth == 3 && start >= 0 {
				return bytes.Clone(env[start:d.InputOffset()])
			}
			if depth < 3 {
				return nil
			}
		}
	}
}
