package onvif

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// NVRs (Synology Surveillance Station, ODM) write the encoder configuration back when they add
// a camera, usually with the very values they read. The stream is freecam's setting (the Camera
// page, rtspserver.conf), not the NVR's: a write of what runs succeeds, any change is refused
// with ter:ConfigModify naming what differs, so the NVR reports it instead of believing it.

// setVideoEncoderConfiguration is SetVideoEncoderConfiguration (Admin).
func (m *mediaService) setVideoEncoderConfiguration(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		Configuration struct {
			Token      string `xml:"token,attr"`
			Encoding   string `xml:"Encoding"`
			Resolution *struct {
				Width  int `xml:"Width"`
				Height int `xml:"Height"`
			} `xml:"Resolution"`
			RateControl *struct {
				FrameRateLimit int `xml:"FrameRateLimit"`
				BitrateLimit   int `xml:"BitrateLimit"`
			} `xml:"RateControl"`
			H264 *struct {
				GovLength int `xml:"GovLength"`
			} `xml:"H264"`
		} `xml:"Configuration"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed SetVideoEncoderConfiguration")
		return
	}
	cfg := req.Configuration
	if strings.TrimSpace(cfg.Token) != VideoEncoderConfigToken {
		invalidArg(w, c, "ter:NoConfig", "no such video encoder configuration")
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	var diffs []string
	differs := func(what string, got, want any) {
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s %v (the camera runs %v)", what, got, want))
		}
	}
	if e := strings.TrimSpace(cfg.Encoding); e != "" {
		differs("encoding", e, encoding(st))
	}
	if r := cfg.Resolution; r != nil {
		differs("resolution", fmt.Sprintf("%dx%d", r.Width, r.Height), fmt.Sprintf("%dx%d", st.Width, st.Height))
	}
	if rc := cfg.RateControl; rc != nil {
		if rc.FrameRateLimit != 0 {
			differs("frame rate", rc.FrameRateLimit, st.FPS)
		}
		if rc.BitrateLimit != 0 {
			differs("bitrate", rc.BitrateLimit, st.BitrateKbps)
		}
	}
	if h := cfg.H264; h != nil && h.GovLength != 0 {
		differs("GOV length", h.GovLength, st.GOVLength)
	}
	if len(diffs) > 0 {
		fault(w, c, soap.Sender, "change the stream in freecam's settings (Camera page): "+strings.Join(diffs, ", "),
			soap.SubInvalidArgVal, "ter:ConfigModify")
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:SetVideoEncoderConfigurationResponse"`
	}{})
}

// setVideoSourceConfiguration is SetVideoSourceConfiguration (Admin): the one source, whole.
func (m *mediaService) setVideoSourceConfiguration(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		Configuration struct {
			Token       string `xml:"token,attr"`
			SourceToken string `xml:"SourceToken"`
			Bounds      *struct {
				X      int `xml:"x,attr"`
				Y      int `xml:"y,attr"`
				Width  int `xml:"width,attr"`
				Height int `xml:"height,attr"`
			} `xml:"Bounds"`
		} `xml:"Configuration"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed SetVideoSourceConfiguration")
		return
	}
	cfg := req.Configuration
	if strings.TrimSpace(cfg.Token) != VideoSourceConfigToken {
		invalidArg(w, c, "ter:NoConfig", "no such video source configuration")
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	if s := strings.TrimSpace(cfg.SourceToken); s != "" && s != VideoSourceToken {
		invalidArg(w, c, "ter:NoSource", "no such video source")
		return
	}
	if b := cfg.Bounds; b != nil && (b.X != 0 || b.Y != 0 || b.Width != st.Width || b.Height != st.Height) {
		fault(w, c, soap.Sender, fmt.Sprintf("the camera's source is the whole %dx%d picture", st.Width, st.Height),
			soap.SubInvalidArgVal, "ter:ConfigModify")
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:SetVideoSourceConfigurationResponse"`
	}{})
}
