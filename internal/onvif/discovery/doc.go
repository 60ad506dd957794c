// Package discovery is freecam's WS-Discovery (2005/04) responder, the UDP side of ONVIF
// "Device discovery": it joins 239.255.255.250:3702 on the camera's interfaces, announces the
// device with Hello when it starts (and when an interface gains an address), answers matching
// Probe and Resolve messages with a unicast ProbeMatches/ResolveMatches, and says Bye when it
// stops. Home Assistant, Synology, Frigate's ONVIF autotracking setup and the npm onvif client find
// the camera this way.
//
// It speaks SOAP 1.2 over UDP with WS-Addressing 2004/08 and writes its own envelopes (it does not
// use the HTTP SOAP layer). It must never become a reflector or crash on what arrives: datagrams
// over 64 KiB or that do not parse are dropped silently, its own messages looped back are never
// answered, and replies are rate-limited. It knows nothing about the device's configuration:
// the integrator passes the endpoint UUID, scopes and service addresses.
package discovery
