package ptzsvc

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/onvif/soap"
)

// DefaultFOV is the Dafang lens's picture size in motor steps (estimated):
// the steps that pan across the whole picture width (X) and tilt across
// its height (Y).
var DefaultFOV = hal.Position{X: 600, Y: 340}

// Limits of ContinuousMove: a move without Timeout stops after
// DefaultTimeout (the ONVIF DefaultPTZTimeout; crossing the Dafang's whole
// pan range takes about 3.4 s), a Timeout must lie within MinTimeout and
// MaxTimeout (GetConfigurationOptions PTZTimeout).
const (
	DefaultTimeout = 10 * time.Second
	MinTimeout     = 100 * time.Millisecond
	MaxTimeout     = time.Minute
)

// MaxPresets is the MaximumNumberOfPresets of the node: SetPreset refuses
// to add more.
const MaxPresets = 64

// Options configures a Service.
type Options struct {
	// Motor is the pan/tilt motor; required.
	Motor hal.Motor
	// Presets holds ptz_presets.conf. nil: GetPresets is empty, SetPreset
	// and SetHomePosition fault, GotoHomePosition goes to the centre.
	Presets *ptz.Presets
	// FOV is the picture size in motor steps, for moves in
	// TranslationSpaceFov; default DefaultFOV.
	FOV hal.Position
	// Log receives failed moves and preset saves; nil discards.
	Log *slog.Logger
}

// Service is the ONVIF PTZ service. It is goroutine-safe.
type Service struct {
	ops     soap.Ops
	motor   hal.Motor
	presets *ptz.Presets
	fov     hal.Position
	log     *slog.Logger
	now     func() time.Time

	base   context.Context // parent of every move; ended by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	cmd      sync.Mutex // serializes the commands that end and start moves
	presetMu sync.Mutex // serializes preset changes and their saves

	mu     sync.Mutex
	cur    *run // the running move, nil when idle
	closed bool
}

// run is one move on the Service's goroutine.
type run struct {
	cancel context.CancelFunc
	done   chan struct{}
}

var _ soap.Service = (*Service)(nil)

// New returns a Service over o.Motor. It starts nothing until a move.
func New(o Options) (*Service, error) {
	if o.Motor == nil {
		return nil, errors.New("ptzsvc: no motor")
	}
	if o.FOV.X <= 0 {
		o.FOV.X = DefaultFOV.X
	}
	if o.FOV.Y <= 0 {
		o.FOV.Y = DefaultFOV.Y
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{motor: o.Motor, presets: o.Presets, fov: o.FOV, log: o.Log, now: time.Now}
	s.ops = s.operations()
	s.base, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Close stops a running move (Motor.Stop) and waits for the goroutine that
// ran it. Later move operations fault. It is safe to call more than once.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	r := s.cur
	s.mu.Unlock()
	s.cancel()
	if r != nil {
		s.motor.Stop()
	}
	s.wg.Wait()
}

// Access implements soap.Service; ok is false for an operation the service does not implement.
func (s *Service) Access(op string) (soap.Access, bool) { return s.ops.Access(op) }

// ServeSOAP implements soap.Service.
func (s *Service) ServeSOAP(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	s.ops.ServeSOAP(w, r, c)
}

// operations is the PTZ service's table. Access classes: reads are Viewer, moves and preset
// changes Admin, GetServiceCapabilities Open (PRE_AUTH).
func (s *Service) operations() soap.Ops {
	return soap.Ops{
		"GetServiceCapabilities":      {Access: soap.Open, Serve: s.getServiceCapabilities},
		"GetNodes":                    {Access: soap.Viewer, Serve: s.getNodes},
		"GetNode":                     {Access: soap.Viewer, Serve: s.getNode},
		"GetConfigurations":           {Access: soap.Viewer, Serve: s.getConfigurations},
		"GetConfiguration":            {Access: soap.Viewer, Serve: s.getConfiguration},
		"GetConfigurationOptions":     {Access: soap.Viewer, Serve: s.getConfigurationOptions},
		"GetCompatibleConfigurations": {Access: soap.Viewer, Serve: s.getCompatibleConfigurations},
		"GetStatus":                   {Access: soap.Viewer, Serve: s.getStatus},
		"GetPresets":                  {Access: soap.Viewer, Serve: s.getPresets},
		"ContinuousMove":              {Access: soap.Admin, Serve: s.continuousMove},
		"RelativeMove":                {Access: soap.Admin, Serve: s.relativeMove},
		"AbsoluteMove":                {Access: soap.Admin, Serve: s.absoluteMove},
		"Stop":                        {Access: soap.Admin, Serve: s.stop},
		"GotoPreset":                  {Access: soap.Admin, Serve: s.gotoPreset},
		"SetPreset":                   {Access: soap.Admin, Serve: s.setPreset},
		"RemovePreset":                {Access: soap.Admin, Serve: s.removePreset},
		"GotoHomePosition":            {Access: soap.Admin, Serve: s.gotoHomePosition},
		"SetHomePosition":             {Access: soap.Admin, Serve: s.setHomePosition},
	}
}

// Configuration is the PTZ configuration of Profile_1, for the media
// service's GetProfiles.
func (s *Service) Configuration() Configuration {
	return Configuration{
		Token:                                  ConfigurationToken,
		Name:                                   ConfigurationToken,
		UseCount:                               1,
		NodeToken:                              NodeToken,
		DefaultAbsolutePantTiltPositionSpace:   SpacePositionGeneric,
		DefaultRelativePanTiltTranslationSpace: SpaceTranslationGeneric,
		DefaultContinuousPanTiltVelocitySpace:  SpaceVelocityGeneric,
		DefaultPTZSpeed:                        Speed{PanTilt: Vector2D{X: 1, Y: 1, Space: SpaceSpeedGeneric}},
		DefaultPTZTimeout:                      formatDuration(DefaultTimeout),
		PanTiltLimits:                          PanTiltLimits{Range: space2D(SpacePositionGeneric)},
	}
}

func (s *Service) maxPresets() int {
	if s.presets == nil {
		return 0
	}
	return MaxPresets
}

// fault writes a fault with the subcodes given (ter: QNames).
func fault(w http.ResponseWriter, c *soap.Call, code soap.Code, reason string, subcodes ...string) {
	soap.WriteFault(w, c.Req.Version, code, subcodes, reason, 0)
}

// badArg writes the Sender/ter:InvalidArgVal/sub fault.
func badArg(w http.ResponseWriter, c *soap.Call, sub, reason string) {
	fault(w, c, soap.Sender, reason, soap.SubInvalidArgVal, sub)
}

// decode unmarshals the request into v, writing a fault on failure.
func decode(w http.ResponseWriter, c *soap.Call, v any) bool {
	if err := c.Req.Decode(v); err != nil {
		fault(w, c, soap.Sender, "invalid request: "+err.Error(), soap.SubInvalidArgVal)
		return false
	}
	return true
}

// checkProfile faults unless token is Profile_1.
func checkProfile(w http.ResponseWriter, c *soap.Call, token string) bool {
	if token != ProfileToken {
		badArg(w, c, "ter:NoProfile", "no such profile: "+token)
		return false
	}
	return true
}

func respond(w http.ResponseWriter, c *soap.Call, body any) {
	soap.WriteResponse(w, c.Req.Version, body) //nolint:errcheck // it wrote a fault
}

// empty is an operation response without content, e.g. tptz:StopResponse.
func empty(op string) []byte { return []byte("<tptz:" + op + "Response></tptz:" + op + "Response>") }

func (s *Service) getServiceCapabilities(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	type caps struct {
		EFlip                       bool `xml:"EFlip,attr"`
		Reverse                     bool `xml:"Reverse,attr"`
		GetCompatibleConfigurations bool `xml:"GetCompatibleConfigurations,attr"`
		MoveStatus                  bool `xml:"MoveStatus,attr"`
		StatusPosition              bool `xml:"StatusPosition,attr"`
	}
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetServiceCapabilitiesResponse"`
		Caps    caps     `xml:"tptz:Capabilities"`
	}{Caps: caps{GetCompatibleConfigurations: true, MoveStatus: true, StatusPosition: true}})
}

func (s *Service) node() node {
	return node{
		Token:                  NodeToken,
		Name:                   NodeToken,
		SupportedPTZSpaces:     supportedSpaces(),
		MaximumNumberOfPresets: s.maxPresets(),
		HomeSupported:          true,
	}
}

func (s *Service) getNodes(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetNodesResponse"`
		Node    node
	}{Node: s.node()})
}

func (s *Service) getNode(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		NodeToken string `xml:"NodeToken"`
	}
	if !decode(w, c, &req) {
		return
	}
	if req.NodeToken != NodeToken {
		badArg(w, c, "ter:NoEntity", "no such PTZ node: "+req.NodeToken)
		return
	}
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetNodeResponse"`
		Node    node
	}{Node: s.node()})
}

func (s *Service) getConfigurations(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetConfigurationsResponse"`
		Config  tptzConfiguration
	}{Config: tptzConfiguration(s.Configuration())})
}

func (s *Service) getConfiguration(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		Token string `xml:"PTZConfigurationToken"`
	}
	if !decode(w, c, &req) {
		return
	}
	if req.Token != ConfigurationToken {
		badArg(w, c, "ter:NoConfig", "no such PTZ configuration: "+req.Token)
		return
	}
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetConfigurationResponse"`
		Config  tptzConfiguration
	}{Config: tptzConfiguration(s.Configuration())})
}

func (s *Service) getCompatibleConfigurations(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetCompatibleConfigurationsResponse"`
		Config  tptzConfiguration
	}{Config: tptzConfiguration(s.Configuration())})
}

func (s *Service) getConfigurationOptions(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		Token string `xml:"ConfigurationToken"`
	}
	if !decode(w, c, &req) {
		return
	}
	if req.Token != ConfigurationToken {
		badArg(w, c, "ter:NoConfig", "no such PTZ configuration: "+req.Token)
		return
	}
	o := configurationOptions{Spaces: supportedSpaces()}
	o.PTZTimeout.Min = formatDuration(MinTimeout)
	o.PTZTimeout.Max = formatDuration(MaxTimeout)
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:GetConfigurationOptionsResponse"`
		Options configurationOptions
	}{Options: o})
}
