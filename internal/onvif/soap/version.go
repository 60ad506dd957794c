package soap

// Version is the SOAP version of an envelope. The zero value means SOAP 1.2, the version ONVIF
// requires.
type Version int

// The SOAP versions freecam speaks.
const (
	V12 Version = iota // SOAP 1.2, application/soap+xml
	V11                // SOAP 1.1, text/xml
)

// String returns "1.1" or "1.2".
func (v Version) String() string {
	if v == V11 {
		return "1.1"
	}
	return "1.2"
}

// Namespace returns the envelope namespace URI of v.
func (v Version) Namespace() string {
	if v == V11 {
		return NSSoap11
	}
	return NSSoap12
}

// ContentType returns the HTTP Content-Type of a message in version v.
func (v Version) ContentType() string {
	if v == V11 {
		return "text/xml; charset=utf-8"
	}
	return "application/soap+xml; charset=utf-8"
}
