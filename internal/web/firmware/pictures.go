package firmware

import (
	"net/http"
	"time"
)

// currentPic serves the latest picture, the firmware's main integration URL (Home Assistant's
// generic camera polls it).
func (h *Handlers) currentPic(w http.ResponseWriter, r *http.Request) {
	h.cam.CurrentPic().ServeHTTP(w, r)
}

// currentPicOptim serves the same picture as currentPic. The firmware ran jpegtran -progressive
// -optimize on it; freecam does not re-optimise: the picture is already a baseline JPEG of the
// configured quality, and re-encoding would cost CPU for a few percent.
func (h *Handlers) currentPicOptim(w http.ResponseWriter, r *http.Request) {
	h.cam.CurrentPic().ServeHTTP(w, r)
}

// downloadPic serves the picture as an attachment named for the local time, as the firmware did:
// YYYY-MM-DD-HH-MM-SS.jpeg.
func (h *Handlers) downloadPic(w http.ResponseWriter, r *http.Request) {
	name := time.Now().Format("2006-01-02-15-04-05") + ".jpeg"
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.cam.CurrentPic().ServeHTTP(w, r)
}
