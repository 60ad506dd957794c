package imaging

import (
	"encoding/xml"
	"net/http"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// The camera has no focus lens: GetMoveOptions answers an empty
// tt:MoveOptions20 (no Absolute, Relative or Continuous move) and GetStatus
// an empty tt:ImagingStatus20 (no FocusStatus20); Move and Stop are not
// implemented.

func (s *Service) getMoveOptions(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !videoSource(w, c) {
		return
	}
	s.write(w, c, struct {
		XMLName xml.Name `xml:"timg:GetMoveOptionsResponse"`
		Options struct{} `xml:"timg:MoveOptions"`
	}{})
}

func (s *Service) getStatus(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !videoSource(w, c) {
		return
	}
	s.write(w, c, struct {
		XMLName xml.Name `xml:"timg:GetStatusResponse"`
		Status  struct{} `xml:"timg:Status"`
	}{})
}
