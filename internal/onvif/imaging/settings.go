package imaging

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// The tt:IrCutFilterMode values.
const (
	IrCutOn   = "ON"   // filter in: day picture
	IrCutOff  = "OFF"  // filter out: night picture, IR lamp on
	IrCutAuto = "AUTO" // the camera chooses: auto night
)

// modeOf maps an IrCutFilter value onto the night mode SetNight takes; ok is
// false for anything but ON, OFF and AUTO.
func modeOf(irCut string) (mode string, ok bool) {
	switch irCut {
	case IrCutOn:
		return ModeDay, true
	case IrCutOff:
		return ModeNight, true
	case IrCutAuto:
		return ModeAuto, true
	}
	return "", false
}

// irCutOf is the IrCutFilter value of a night state.
func irCutOf(night, auto bool) string {
	switch {
	case auto:
		return IrCutAuto
	case night:
		return IrCutOff
	}
	return IrCutOn
}

// imagingSettings is tt:ImagingSettings20 with the one setting the camera
// has; every other (optional) one is left out.
type imagingSettings struct {
	IrCutFilter string `xml:"tt:IrCutFilter"`
}

func (s *Service) getImagingSettings(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !videoSource(w, c) {
		return
	}
	night, auto := s.o.Night()
	s.write(w, c, struct {
		XMLName  xml.Name        `xml:"timg:GetImagingSettingsResponse"`
		Settings imagingSettings `xml:"timg:ImagingSettings"`
	}{Settings: imagingSettings{IrCutFilter: irCutOf(night, auto)}})
}

// setting is one child of a request's ImagingSettings.
type setting struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (s *Service) setImagingSettings(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	var req struct {
		VideoSourceToken string `xml:"VideoSourceToken"`
		Settings         *struct {
			Items []setting `xml:",any"`
		} `xml:"ImagingSettings"`
		// ForcePersistence is ignored: the night mode is always kept as the
		// camera keeps it (night.conf).
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed SetImagingSettings")
		return
	}
	if !checkSource(w, c, req.VideoSourceToken) {
		return
	}
	if req.Settings == nil {
		invalidArg(w, c, "", "SetImagingSettings needs ImagingSettings")
		return
	}
	irCut := ""
	for _, it := range req.Settings.Items {
		name := it.XMLName.Local
		if name != "IrCutFilter" {
			invalidArg(w, c, SubSettingsInvalid, name+" is not supported: the only imaging setting is IrCutFilter")
			return
		}
		if irCut != "" {
			invalidArg(w, c, SubSettingsInvalid, "IrCutFilter is given twice")
			return
		}
		irCut = strings.TrimSpace(it.Value)
		if irCut == "" {
			invalidArg(w, c, SubSettingsInvalid, "IrCutFilter must be ON, OFF or AUTO")
			return
		}
	}
	if irCut == "" {
		// Nothing to set (an empty ImagingSettings).
		s.write(w, c, struct {
			XMLName xml.Name `xml:"timg:SetImagingSettingsResponse"`
		}{})
		return
	}
	mode, ok := modeOf(irCut)
	if !ok {
		if len(irCut) > 16 {
			irCut = irCut[:16] + "…"
		}
		invalidArg(w, c, SubSettingsInvalid, "IrCutFilter must be ON, OFF or AUTO, not "+irCut)
		return
	}
	if err := s.o.SetNight(r.Context(), mode); err != nil {
		s.o.Log.Warn("imaging: set night mode", "mode", mode, "user", c.User, "err", err)
		soap.WriteFault(w, c.Req.Version, soap.Receiver, nil, "the night mode could not be set to "+mode, 0)
		return
	}
	s.o.Log.Info("imaging: night mode set", "mode", mode, "ir_cut_filter", irCut, "user", c.User)
	s.write(w, c, struct {
		XMLName xml.Name `xml:"timg:SetImagingSettingsResponse"`
	}{})
}

// imagingOptions is tt:ImagingOptions20 with the one setting the camera has.
type imagingOptions struct {
	IrCutFilterModes []string `xml:"tt:IrCutFilterModes"`
}

func (s *Service) getOptions(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !videoSource(w, c) {
		return
	}
	s.write(w, c, struct {
		XMLName xml.Name       `xml:"timg:GetOptionsResponse"`
		Options imagingOptions `xml:"timg:ImagingOptions"`
	}{Options: imagingOptions{IrCutFilterModes: []string{IrCutOn, IrCutOff, IrCutAuto}}})
}
