package soap

// Namespace URIs of SOAP, WS-* and the ONVIF services. Response envelopes declare
// the conventional prefixes (see nsDecls).
const (
	NSSoap12 = "http://www.w3.org/2003/05/soap-envelope"
	NSSoap11 = "http://schemas.xmlsoap.org/soap/envelope/"

	NSDevice  = "http://www.onvif.org/ver10/device/wsdl"  // tds
	NSMedia   = "http://www.onvif.org/ver10/media/wsdl"   // trt
	NSEvents  = "http://www.onvif.org/ver10/events/wsdl"  // tev
	NSPTZ     = "http://www.onvif.org/ver20/ptz/wsdl"     // tptz
	NSImaging = "http://www.onvif.org/ver20/imaging/wsdl" // timg
	NSSchema  = "http://www.onvif.org/ver10/schema"       // tt
	NSTopics  = "http://www.onvif.org/ver10/topics"       // tns1
	NSError   = "http://www.onvif.org/ver10/error"        // ter
	NSNetwork = "http://www.onvif.org/ver10/network/wsdl" // dn (WS-Discovery types)

	NSWSNT      = "http://docs.oasis-open.org/wsn/b-2"               // wsnt
	NSWSTOP     = "http://docs.oasis-open.org/wsn/t-1"               // wstop
	NSWSRFRW    = "http://docs.oasis-open.org/wsrf/rw-2"             // wsrf-rw
	NSWSA       = "http://www.w3.org/2005/08/addressing"             // wsa
	NSWSA200408 = "http://schemas.xmlsoap.org/ws/2004/08/addressing" // WS-Discovery's addressing
	NSXS        = "http://www.w3.org/2001/XMLSchema"                 // xs
	NSXSI       = "http://www.w3.org/2001/XMLSchema-instance"        // xsi

	NSWSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"  // wsse
	NSWSU  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" // wsu

	// TypePasswordDigest and TypePasswordText are the UsernameToken Password/@Type values.
	TypePasswordDigest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
	TypePasswordText   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)

// nsDecls declares, on every response and fault envelope, the prefixes the services use, so
// they may marshal elements with prefixed names such as `xml:"tds:GetHostnameResponse"`:
// tds trt tev tptz timg tt wsnt wsa wstop wsrf-rw tns1 ter xs xsi. "env" is added per version.
const nsDecls = ` xmlns:tds="` + NSDevice + `" xmlns:trt="` + NSMedia + `" xmlns:tev="` + NSEvents +
	`" xmlns:tptz="` + NSPTZ + `" xmlns:timg="` + NSImaging + `" xmlns:tt="` + NSSchema +
	`" xmlns:wsnt="` + NSWSNT + `" xmlns:wsa="` + NSWSA + `" xmlns:wstop="` + NSWSTOP +
	`" xmlns:wsrf-rw="` + NSWSRFRW + `" xmlns:tns1="` + NSTopics + `" xmlns:ter="` + NSError +
	`" xmlns:xs="` + NSXS + `" xmlns:xsi="` + NSXSI + `"`
