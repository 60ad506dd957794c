package web

import "net/http"

// GET /api/v1/system (viewer) is camera.SystemState: what the system service applied (the
// address, gateway, DNS servers, DHCP lease, swap areas, NTP sync), the time zone and the mDNS
// name. It holds no secret: the Wi-Fi password is only ever in wpa_supplicant.conf.
func (s *Server) apiSystem(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.opts.Camera.System())
}
