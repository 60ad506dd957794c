package conf

// ONVIFFile configures the onvif service (freecam's; the firmware's onvif_srvd took command-line
// flags). Whether the service runs is its autostart file, like every service.
const ONVIFFile = "onvif.conf"

// ONVIF is onvif.conf.
type ONVIF struct {
	// Name is ONVIF_NAME, the name NVRs show (discovery's name scope, GetScopes): default "", the
	// host name.
	Name string
	// Location is ONVIF_LOCATION, an optional location scope ("garage").
	Location string
	// Discovery is ONVIF_DISCOVERY: answer WS-Discovery probes and announce the camera (Hello,
	// Bye) on the local network. Default on.
	Discovery bool
	// MaxSubscriptions is ONVIF_MAX_SUBSCRIPTIONS, the event subscriptions kept at once: default
	// 16, of which up to 4 (at most half) are reserved for push (Subscribe) and the rest are
	// pull points.
	MaxSubscriptions int
	// FOVStepsX and FOVStepsY are PTZ_FOV_STEPS_X and PTZ_FOV_STEPS_Y: how many motor steps the
	// picture spans across and up, for PTZ moves in the field-of-view space Frigate's
	// autotracking uses. Defaults 600 and 340, the Dafang's lens.
	FOVStepsX, FOVStepsY int
}

// DefaultONVIF returns onvif.conf's defaults.
func DefaultONVIF() ONVIF {
	return ONVIF{Discovery: true, MaxSubscriptions: 16, FOVStepsX: 600, FOVStepsY: 340}
}

func (c *ONVIF) decode(r *reader) {
	if s, _, ok := r.str("ONVIF_NAME"); ok {
		c.Name = s
	}
	if s, _, ok := r.str("ONVIF_LOCATION"); ok {
		c.Location = s
	}
	r.bool(&c.Discovery, "ONVIF_DISCOVERY")
	r.int(&c.MaxSubscriptions, "ONVIF_MAX_SUBSCRIPTIONS", 1, 256, "")
	r.int(&c.FOVStepsX, "PTZ_FOV_STEPS_X", 1, 100000, "steps")
	r.int(&c.FOVStepsY, "PTZ_FOV_STEPS_Y", 1, 100000, "steps")
}
