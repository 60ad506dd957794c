// Package ptzsvc is the ONVIF PTZ service (namespace tptz,
// http://www.onvif.org/ver20/ptz/wsdl) of a pan/tilt camera: one node
// (PTZNode_1), one configuration (PTZConfig_1) for the one media profile
// (Profile_1), continuous, relative (generic and field-of-view spaces, the
// latter for Frigate's autotracking) and absolute moves, Stop, GetStatus
// with MoveStatus, and presets kept in ptz_presets.conf through ptz.Presets.
//
// It drives a hal.Motor and nothing else: it has no zoom, does not know
// about picture flip (the motor mirrors relative moves itself) and does no
// authentication (the dispatcher checks the access class that Access
// returns before ServeSOAP is called).
//
// Moves run on one goroutine owned by the Service; a SOAP move operation
// answers once the move has started, a new move or Stop ends the running
// one first, and Close stops it and waits for the goroutine.
package ptzsvc
