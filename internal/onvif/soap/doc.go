// Package soap is the SOAP 1.1/1.2 transport and WS-Security (UsernameToken) layer that
// freecam's ONVIF services are written on: it parses a request envelope (refusing DOCTYPEs and
// oversize bodies), verifies a UsernameToken (PasswordDigest with a replay cache, or
// PasswordText against the account store) and writes response envelopes and SOAP faults in the
// shapes Home Assistant, Frigate, Synology and the npm onvif client expect.
//
// It must not know any ONVIF operation: services dispatch on Request.Operation (the QName of the
// first child of Body, never SOAPAction or wsa:Action) and decode Request.Body themselves. It
// does no HTTP Digest and no access-class policy (which operations are open without
// credentials); those belong to the service layer above.
package soap
