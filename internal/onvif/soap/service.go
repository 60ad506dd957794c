package soap

import "net/http"

// Access is what an operation needs of its caller (the ONVIF Core's access classes, mapped onto
// freecam's two roles).
type Access int

const (
	// Open operations (the Core's PRE_AUTH class: GetSystemDateAndTime, GetCapabilities,
	// GetServices, GetServiceCapabilities, GetWsdlUrl, GetHostname, GetEndpointReference) are
	// answered without credentials. Credentials that are sent are still checked.
	Open Access = iota
	// Viewer operations read (READ_SYSTEM, READ_MEDIA): any account.
	Viewer
	// Admin operations change something or move the camera (ACTUATE, WRITE_SYSTEM): an admin
	// account, like the web API's motor and settings routes.
	Admin
)

func (a Access) String() string {
	switch a {
	case Open:
		return "open"
	case Viewer:
		return "viewer"
	case Admin:
		return "admin"
	}
	return "unknown"
}

// Call is one operation that has passed authentication, as a service sees it.
type Call struct {
	Req *Request
	// User is the authenticated account, "" for an Open operation sent without credentials.
	User string
	// Admin is true when User is an admin.
	Admin bool
	// BaseURL is the scheme and host the client used to reach the camera, without a trailing
	// slash ("http://192.0.2.2:8080"): service addresses (XAddrs, SubscriptionReference,
	// snapshot URI) are built on it, so they are absolute and reachable from that client.
	BaseURL string
}

// Service is one ONVIF service (device, media, events, PTZ). The dispatcher routes an operation
// to the service registered for its namespace, asks Access, authenticates and authorises, then
// calls ServeSOAP.
type Service interface {
	// Access returns what the operation op (the local name of the Body's first child) needs;
	// ok is false for an operation the service does not implement, which the dispatcher answers
	// with NotImplemented.
	Access(op string) (access Access, ok bool)
	// ServeSOAP answers an operation Access knew: it writes a response (WriteResponse) or a
	// fault (WriteFault and friends). r is the HTTP request (its context ends when the client
	// goes away, which a long poll must honour; r.URL.Path addresses a subscription).
	ServeSOAP(w http.ResponseWriter, r *http.Request, c *Call)
}

// Op is one operation of a service: what it needs of the caller and what answers it.
type Op struct {
	Access Access
	Serve  func(w http.ResponseWriter, r *http.Request, c *Call)
}

// Ops is a service's operations by the local name of their element. It implements Service, so
// a service keeps one table, not an access list and a dispatch switch that must agree.
type Ops map[string]Op

// Access implements Service.
func (o Ops) Access(op string) (Access, bool) {
	x, ok := o[op]
	return x.Access, ok
}

// ServeSOAP implements Service; an operation not in the table gets NotImplemented.
func (o Ops) ServeSOAP(w http.ResponseWriter, r *http.Request, c *Call) {
	x, ok := o[c.Req.Operation.Local]
	if !ok {
		NotImplemented(w, c.Req.Version)
		return
	}
	x.Serve(w, r, c)
}
