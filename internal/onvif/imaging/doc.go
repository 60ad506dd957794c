// Package imaging is the ONVIF imaging service (namespace timg,
// http://www.onvif.org/ver20/imaging/wsdl) of freecam's one video source
// (VideoSource_1). It offers exactly one setting, the IR-cut filter, mapped
// onto freecam's night mode: IrCutFilter ON is day (filter in), OFF is night
// (filter out, IR lamp on) and AUTO hands the choice to auto night. Home
// Assistant's "IR lamp" switch is built on it.
//
// Every other imaging setting (brightness, exposure, focus…) is absent from
// its answers and refused when a client sets it; there is no focus lens, so
// GetMoveOptions and GetStatus are empty and Move/Stop are not implemented.
//
// It does no authentication: the dispatcher (package onvif) checks the
// access class that Access returns before ServeSOAP is called. It keeps no
// state of its own; the night mode is read and set through Options at each
// call.
package imaging
