// Package onvif is freecam's ONVIF Profile S server: the HTTP handler that every /onvif/ path is
// served by. It parses SOAP requests (package soap), authenticates them (WS-Security
// UsernameToken or HTTP Digest, against freecam's accounts) and checks the caller's role, routes
// each operation by its namespace to the device and media services implemented here or to the
// event, PTZ and imaging services (packages events, ptzsvc and imaging), and serves the snapshot
// URL behind HTTP Digest.
//
// It must not own the camera: identity, the current stream and the clock come from callbacks in
// Options, read at each request, so a configuration change or a camera restart needs no new
// Server. It answers every request, malformed or not, with a SOAP envelope.
package onvif
