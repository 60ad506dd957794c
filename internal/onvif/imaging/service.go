package imaging

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// VideoSourceToken is the token of the camera's one video source, as the
// media service's profiles name it (VideoSourceConfiguration/SourceToken).
const VideoSourceToken = "VideoSource_1"

// The night modes SetNight is given (camera.NightMode's values).
const (
	ModeDay   = "day"
	ModeNight = "night"
	ModeAuto  = "auto"
)

// Options configures a Service.
type Options struct {
	// Night reports the night mode now: night is true when the IR-cut
	// filter is out (night picture), auto when auto night chooses. Required.
	Night func() (night, auto bool)
	// SetNight sets the night mode: ModeDay, ModeNight or ModeAuto. It may
	// block (the IR-cut pulse); ctx ends when the client goes away. Required.
	SetNight func(ctx context.Context, mode string) error
	// Log receives mode changes (Info) and failures to change (Warn); nil
	// discards.
	Log *slog.Logger
}

// Service is the ONVIF imaging service. It is goroutine-safe as far as
// Options' functions are.
type Service struct {
	o   Options
	ops soap.Ops
}

var _ soap.Service = (*Service)(nil)

// New checks o and returns a Service.
func New(o Options) (*Service, error) {
	switch {
	case o.Night == nil:
		return nil, errors.New("imaging: new service: Night is required")
	case o.SetNight == nil:
		return nil, errors.New("imaging: new service: SetNight is required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o}
	s.ops = s.operations()
	return s, nil
}

// Access implements soap.Service; ok is false for an operation the service does not implement.
func (s *Service) Access(op string) (soap.Access, bool) { return s.ops.Access(op) }

// ServeSOAP implements soap.Service.
func (s *Service) ServeSOAP(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	s.ops.ServeSOAP(w, r, c)
}

// operations is the imaging service's table. Access classes: GetServiceCapabilities is Open
// (PRE_AUTH), reads are Viewer (READ_MEDIA), SetImagingSettings is Admin (ACTUATE).
func (s *Service) operations() soap.Ops {
	return soap.Ops{
		"GetServiceCapabilities": {Access: soap.Open, Serve: s.getServiceCapabilities},
		"GetImagingSettings":     {Access: soap.Viewer, Serve: s.getImagingSettings},
		"GetOptions":             {Access: soap.Viewer, Serve: s.getOptions},
		"GetMoveOptions":         {Access: soap.Viewer, Serve: s.getMoveOptions},
		"GetStatus":              {Access: soap.Viewer, Serve: s.getStatus},
		"SetImagingSettings":     {Access: soap.Admin, Serve: s.setImagingSettings},
	}
}

func (s *Service) getServiceCapabilities(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	s.write(w, c, struct {
		XMLName xml.Name `xml:"timg:GetServiceCapabilitiesResponse"`
		Caps    struct {
			ImageStabilization bool `xml:"ImageStabilization,attr"`
			Presets            bool `xml:"Presets,attr"`
			AdaptablePreset    bool `xml:"AdaptablePreset,attr"`
		} `xml:"timg:Capabilities"`
	}{})
}

// write writes body as the response, logging a body that cannot be
// marshalled (a programming error; the client got a Receiver fault).
func (s *Service) write(w http.ResponseWriter, c *soap.Call, body any) {
	if err := soap.WriteResponse(w, c.Req.Version, body); err != nil {
		s.o.Log.Error("imaging: write response", "op", c.Req.Operation.Local, "err", err)
	}
}

// invalidArg writes the Sender/ter:InvalidArgVal fault with the subcode sub
// (ter:NoSource, ter:SettingsInvalid) when set.
func invalidArg(w http.ResponseWriter, c *soap.Call, sub, reason string) {
	subs := []string{soap.SubInvalidArgVal}
	if sub != "" {
		subs = append(subs, sub)
	}
	soap.WriteFault(w, c.Req.Version, soap.Sender, subs, reason, 0)
}

// Fault subcodes of the imaging service (ONVIF Imaging Service spec).
const (
	SubNoSource        = "ter:NoSource"
	SubSettingsInvalid = "ter:SettingsInvalid"
)

// checkSource writes the ter:NoSource fault and returns false unless token
// (as sent, spaces around it ignored) is VideoSourceToken.
func checkSource(w http.ResponseWriter, c *soap.Call, token string) bool {
	t := strings.TrimSpace(token)
	if t == VideoSourceToken {
		return true
	}
	if len(t) > 64 {
		t = t[:64] + "…"
	}
	invalidArg(w, c, SubNoSource, "no video source "+strconv.Quote(t)+"; the camera's one is "+VideoSourceToken)
	return false
}

// videoSource decodes a request whose one argument is VideoSourceToken and
// checks it; on false the fault has been written.
func videoSource(w http.ResponseWriter, c *soap.Call) bool {
	var req struct {
		VideoSourceToken string `xml:"VideoSourceToken"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed "+c.Req.Operation.Local)
		return false
	}
	return checkSource(w, c, req.VideoSourceToken)
}
