package onvif

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// The tokens of the camera's one fixed profile and its configurations.
const (
	ProfileToken            = "Profile_1"
	ProfileName             = "MainStream"
	VideoSourceToken        = "VideoSource_1"
	VideoSourceConfigToken  = "VideoSourceConfig_1"
	VideoEncoderConfigToken = "VideoEncoderConfig_1"
)

// mediaService is the media service (trt, ver10/media/wsdl): one fixed profile describing the
// camera's stream as it is; its configuration is changed in freecam's settings, not here.
type mediaService struct{ s *Server }

func (m *mediaService) operations() soap.Ops {
	return soap.Ops{
		"GetServiceCapabilities":                  {Access: soap.Open, Serve: m.getServiceCapabilities},
		"GetProfiles":                             {Access: soap.Viewer, Serve: m.getProfiles},
		"GetProfile":                              {Access: soap.Viewer, Serve: m.getProfile},
		"GetVideoSources":                         {Access: soap.Viewer, Serve: m.getVideoSources},
		"GetVideoSourceConfigurations":            {Access: soap.Viewer, Serve: m.getVideoSourceConfigurations},
		"GetCompatibleVideoSourceConfigurations":  {Access: soap.Viewer, Serve: m.getVideoSourceConfigurations},
		"GetVideoSourceConfiguration":             {Access: soap.Viewer, Serve: m.getVideoSourceConfiguration},
		"GetVideoEncoderConfigurations":           {Access: soap.Viewer, Serve: m.getVideoEncoderConfigurations},
		"GetCompatibleVideoEncoderConfigurations": {Access: soap.Viewer, Serve: m.getVideoEncoderConfigurations},
		"GetVideoEncoderConfiguration":            {Access: soap.Viewer, Serve: m.getVideoEncoderConfiguration},
		"GetVideoEncoderConfigurationOptions":     {Access: soap.Viewer, Serve: m.getVideoEncoderConfigurationOptions},
		"SetVideoEncoderConfiguration":            {Access: soap.Admin, Serve: m.setVideoEncoderConfiguration},
		"SetVideoSourceConfiguration":             {Access: soap.Admin, Serve: m.setVideoSourceConfiguration},
		"GetStreamUri":                            {Access: soap.Viewer, Serve: m.getStreamURI},
		"GetSnapshotUri":                          {Access: soap.Viewer, Serve: m.getSnapshotURI},
		// Synology Surveillance Station probes with CreateProfile("SynoTestProfile") and
		// DeleteProfile, the second time possibly without credentials; a NotAuthorized answer shows
		// as "wrong password", so they are open and always refused with a fault it understands.
		"CreateProfile": {Access: soap.Open, Serve: m.createProfile},
		"DeleteProfile": {Access: soap.Open, Serve: m.deleteProfile},
		// The camera has no audio, analytics or metadata: empty lists rather than faults, which
		// NVRs calling them while connecting take as errors.
		"GetAudioSources":                           {Access: soap.Viewer, Serve: m.emptyList},
		"GetAudioSourceConfigurations":              {Access: soap.Viewer, Serve: m.emptyList},
		"GetAudioEncoderConfigurations":             {Access: soap.Viewer, Serve: m.emptyList},
		"GetAudioOutputs":                           {Access: soap.Viewer, Serve: m.emptyList},
		"GetAudioOutputConfigurations":              {Access: soap.Viewer, Serve: m.emptyList},
		"GetAudioDecoderConfigurations":             {Access: soap.Viewer, Serve: m.emptyList},
		"GetVideoAnalyticsConfigurations":           {Access: soap.Viewer, Serve: m.emptyList},
		"GetMetadataConfigurations":                 {Access: soap.Viewer, Serve: m.emptyList},
		"GetCompatibleAudioSourceConfigurations":    {Access: soap.Viewer, Serve: m.emptyList},
		"GetCompatibleAudioEncoderConfigurations":   {Access: soap.Viewer, Serve: m.emptyList},
		"GetCompatibleMetadataConfigurations":       {Access: soap.Viewer, Serve: m.emptyList},
		"GetCompatibleVideoAnalyticsConfigurations": {Access: soap.Viewer, Serve: m.emptyList},
	}
}

// --- capabilities

type mediaCaps struct {
	XMLName         xml.Name `xml:"trt:Capabilities"`
	SnapshotURI     bool     `xml:"SnapshotUri,attr"`
	Rotation        bool     `xml:"Rotation,attr"`
	VideoSourceMode bool     `xml:"VideoSourceMode,attr"`
	OSD             bool     `xml:"OSD,attr"`
	Profile         struct {
		Max int `xml:"MaximumNumberOfProfiles,attr"`
	} `xml:"trt:ProfileCapabilities"`
	Streaming struct {
		RTPMulticast        bool `xml:"RTPMulticast,attr"`
		RTPTCP              bool `xml:"RTP_TCP,attr"`
		RTPRTSPTCP          bool `xml:"RTP_RTSP_TCP,attr"`
		NonAggregateControl bool `xml:"NonAggregateControl,attr"`
		NoRTSPStreaming     bool `xml:"NoRTSPStreaming,attr"`
	} `xml:"trt:StreamingCapabilities"`
}

func newMediaCaps() *mediaCaps {
	c := &mediaCaps{SnapshotURI: true}
	c.Profile.Max = 1
	c.Streaming.RTPTCP, c.Streaming.RTPRTSPTCP = true, true
	return c
}

func (m *mediaService) getServiceCapabilities(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:GetServiceCapabilitiesResponse"`
		Caps    *mediaCaps
	}{Caps: newMediaCaps()})
}

// --- configurations

type resolution struct {
	Width  int `xml:"tt:Width"`
	Height int `xml:"tt:Height"`
}

type videoSourceConfig struct {
	Token       string `xml:"token,attr"`
	Name        string `xml:"tt:Name"`
	UseCount    int    `xml:"tt:UseCount"`
	SourceToken string `xml:"tt:SourceToken"`
	Bounds      struct {
		X      int `xml:"x,attr"`
		Y      int `xml:"y,attr"`
		Width  int `xml:"width,attr"`
		Height int `xml:"height,attr"`
	} `xml:"tt:Bounds"`
}

func newVideoSourceConfig(st StreamInfo) videoSourceConfig {
	v := videoSourceConfig{Token: VideoSourceConfigToken, Name: "VideoSourceConfig", UseCount: 1, SourceToken: VideoSourceToken}
	v.Bounds.Width, v.Bounds.Height = st.Width, st.Height
	return v
}

type videoEncoderConfig struct {
	Token       string     `xml:"token,attr"`
	Name        string     `xml:"tt:Name"`
	UseCount    int        `xml:"tt:UseCount"`
	Encoding    string     `xml:"tt:Encoding"`
	Resolution  resolution `xml:"tt:Resolution"`
	Quality     int        `xml:"tt:Quality"`
	RateControl struct {
		FrameRateLimit   int `xml:"tt:FrameRateLimit"`
		EncodingInterval int `xml:"tt:EncodingInterval"`
		BitrateLimit     int `xml:"tt:BitrateLimit"`
	} `xml:"tt:RateControl"`
	H264 *struct {
		GovLength   int    `xml:"tt:GovLength"`
		H264Profile string `xml:"tt:H264Profile"`
	} `xml:"tt:H264,omitempty"`
	Multicast struct {
		Address struct {
			Type string `xml:"tt:Type"`
			IPv4 string `xml:"tt:IPv4Address"`
		} `xml:"tt:Address"`
		Port      int  `xml:"tt:Port"`
		TTL       int  `xml:"tt:TTL"`
		AutoStart bool `xml:"tt:AutoStart"`
	} `xml:"tt:Multicast"`
	SessionTimeout string `xml:"tt:SessionTimeout"`
}

// encoding is the tt:VideoEncoding of st: JPEG or H264.
func encoding(st StreamInfo) string {
	if strings.EqualFold(st.Encoding, "JPEG") {
		return "JPEG"
	}
	return "H264"
}

func newVideoEncoderConfig(st StreamInfo) videoEncoderConfig {
	v := videoEncoderConfig{Token: VideoEncoderConfigToken, Name: "VideoEncoderConfig", UseCount: 1,
		Encoding: encoding(st), Resolution: resolution{st.Width, st.Height}, Quality: st.Quality,
		SessionTimeout: "PT60S"}
	v.RateControl.FrameRateLimit, v.RateControl.EncodingInterval, v.RateControl.BitrateLimit = st.FPS, 1, st.BitrateKbps
	if v.Encoding == "H264" {
		v.H264 = &struct {
			GovLength   int    `xml:"tt:GovLength"`
			H264Profile string `xml:"tt:H264Profile"`
		}{st.GOVLength, "Baseline"}
	}
	v.Multicast.Address.Type, v.Multicast.Address.IPv4 = "IPv4", "0.0.0.0"
	return v
}

type profile struct {
	Token        string             `xml:"token,attr"`
	Fixed        bool               `xml:"fixed,attr"`
	Name         string             `xml:"tt:Name"`
	VideoSource  videoSourceConfig  `xml:"tt:VideoSourceConfiguration"`
	VideoEncoder videoEncoderConfig `xml:"tt:VideoEncoderConfiguration"`
	// PTZ marshals as the complete tt:PTZConfiguration element (its own XMLName).
	PTZ any `xml:",omitempty"`
}

func (m *mediaService) profile(st StreamInfo) profile {
	p := profile{Token: ProfileToken, Fixed: true, Name: ProfileName,
		VideoSource: newVideoSourceConfig(st), VideoEncoder: newVideoEncoderConfig(st)}
	if m.s.o.PTZConfiguration != nil {
		p.PTZ = m.s.o.PTZConfiguration()
	}
	return p
}

// stream returns the current stream, or answers "camera restarting" and returns false.
func (m *mediaService) stream(w http.ResponseWriter, c *soap.Call) (StreamInfo, bool) {
	st, ok := m.s.o.Stream()
	if !ok {
		cameraRestarting(w, c)
	}
	return st, ok
}

// token decodes the request's token element (ProfileToken, ConfigurationToken) and checks it
// is want; otherwise it answers ter:InvalidArgVal with sub (ter:NoProfile, ter:NoConfig) and
// returns false. An absent token is accepted when optional.
func token(w http.ResponseWriter, c *soap.Call, elem, want, sub string, optional bool) bool {
	var req struct {
		Tokens []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed "+c.Req.Operation.Local)
		return false
	}
	for _, t := range req.Tokens {
		if t.XMLName.Local == elem {
			if strings.TrimSpace(t.Value) == want {
				return true
			}
			invalidArg(w, c, sub, "no such "+elem+": "+strconv.Quote(clip(strings.TrimSpace(t.Value))))
			return false
		}
	}
	if optional {
		return true
	}
	invalidArg(w, c, sub, elem+" is required")
	return false
}

// clip shortens a client's value for a fault reason.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func (m *mediaService) getProfiles(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName  xml.Name  `xml:"trt:GetProfilesResponse"`
		Profiles []profile `xml:"trt:Profiles"`
	}{Profiles: []profile{m.profile(st)}})
}

func (m *mediaService) getProfile(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !token(w, c, "ProfileToken", ProfileToken, "ter:NoProfile", false) {
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:GetProfileResponse"`
		Profile profile  `xml:"trt:Profile"`
	}{Profile: m.profile(st)})
}

func (m *mediaService) getVideoSources(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	type source struct {
		Token      string     `xml:"token,attr"`
		Framerate  int        `xml:"tt:Framerate"`
		Resolution resolution `xml:"tt:Resolution"`
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:GetVideoSourcesResponse"`
		Sources []source `xml:"trt:VideoSources"`
	}{Sources: []source{{VideoSourceToken, st.FPS, resolution{st.Width, st.Height}}}})
}

// The source and encoder configurations are answered alike: one configuration, made from the
// stream, as a list (Get…Configurations, GetCompatible… for Profile_1) or alone (Get…Configuration
// by its token).

func (m *mediaService) getVideoSourceConfigurations(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	configurations(m, w, c, newVideoSourceConfig)
}

func (m *mediaService) getVideoSourceConfiguration(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	configuration(m, w, c, VideoSourceConfigToken, newVideoSourceConfig)
}

func (m *mediaService) getVideoEncoderConfigurations(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	configurations(m, w, c, newVideoEncoderConfig)
}

func (m *mediaService) getVideoEncoderConfiguration(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	configuration(m, w, c, VideoEncoderConfigToken, newVideoEncoderConfig)
}

// configurations answers Get…Configurations and GetCompatible…Configurations (whose
// ProfileToken must be Profile_1) with the one configuration make builds.
func configurations[T any](m *mediaService, w http.ResponseWriter, c *soap.Call, make func(StreamInfo) T) {
	if strings.HasPrefix(c.Req.Operation.Local, "GetCompatible") &&
		!token(w, c, "ProfileToken", ProfileToken, "ter:NoProfile", false) {
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name
		Configs []T `xml:"trt:Configurations"`
	}{XMLName: xml.Name{Local: "trt:" + c.Req.Operation.Local + "Response"}, Configs: []T{make(st)}})
}

// configuration answers Get…Configuration for the configuration token want.
func configuration[T any](m *mediaService, w http.ResponseWriter, c *soap.Call, want string, make func(StreamInfo) T) {
	if !token(w, c, "ConfigurationToken", want, "ter:NoConfig", false) {
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name
		Config  T `xml:"trt:Configuration"`
	}{XMLName: xml.Name{Local: "trt:" + c.Req.Operation.Local + "Response"}, Config: make(st)})
}

type intRange struct {
	Min int `xml:"tt:Min"`
	Max int `xml:"tt:Max"`
}

// encoderOptions are the tt:VideoEncoderConfigurationOptions: exactly the current settings,
// since this service does not change them.
type encoderOptions struct {
	Quality intRange `xml:"tt:QualityRange"`
	JPEG    *struct {
		Resolutions   resolution `xml:"tt:ResolutionsAvailable"`
		FrameRate     intRange   `xml:"tt:FrameRateRange"`
		EncodingIntvl intRange   `xml:"tt:EncodingIntervalRange"`
	} `xml:"tt:JPEG,omitempty"`
	H264 *struct {
		Resolutions   resolution `xml:"tt:ResolutionsAvailable"`
		GovLength     intRange   `xml:"tt:GovLengthRange"`
		FrameRate     intRange   `xml:"tt:FrameRateRange"`
		EncodingIntvl intRange   `xml:"tt:EncodingIntervalRange"`
		Profiles      string     `xml:"tt:H264ProfilesSupported"`
	} `xml:"tt:H264,omitempty"`
}

func (m *mediaService) getVideoEncoderConfigurationOptions(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !token(w, c, "ConfigurationToken", VideoEncoderConfigToken, "ter:NoConfig", true) ||
		!token(w, c, "ProfileToken", ProfileToken, "ter:NoProfile", true) {
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	o := encoderOptions{Quality: intRange{st.Quality, st.Quality}}
	res, fps, one := resolution{st.Width, st.Height}, intRange{st.FPS, st.FPS}, intRange{1, 1}
	if encoding(st) == "JPEG" {
		o.JPEG = &struct {
			Resolutions   resolution `xml:"tt:ResolutionsAvailable"`
			FrameRate     intRange   `xml:"tt:FrameRateRange"`
			EncodingIntvl intRange   `xml:"tt:EncodingIntervalRange"`
		}{res, fps, one}
	} else {
		o.H264 = &struct {
			Resolutions   resolution `xml:"tt:ResolutionsAvailable"`
			GovLength     intRange   `xml:"tt:GovLengthRange"`
			FrameRate     intRange   `xml:"tt:FrameRateRange"`
			EncodingIntvl intRange   `xml:"tt:EncodingIntervalRange"`
			Profiles      string     `xml:"tt:H264ProfilesSupported"`
		}{res, intRange{st.GOVLength, st.GOVLength}, fps, one, "Baseline"}
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name       `xml:"trt:GetVideoEncoderConfigurationOptionsResponse"`
		Options encoderOptions `xml:"trt:Options"`
	}{Options: o})
}

// --- URIs

type mediaURI struct {
	URI                 string `xml:"tt:Uri"`
	InvalidAfterConnect bool   `xml:"tt:InvalidAfterConnect"`
	InvalidAfterReboot  bool   `xml:"tt:InvalidAfterReboot"`
	Timeout             string `xml:"tt:Timeout"`
}

func (m *mediaService) getStreamURI(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	var req struct {
		StreamSetup struct {
			Stream string `xml:"Stream"`
		} `xml:"StreamSetup"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed GetStreamUri")
		return
	}
	if !token(w, c, "ProfileToken", ProfileToken, "ter:NoProfile", false) {
		return
	}
	if strings.TrimSpace(req.StreamSetup.Stream) == "RTP-Multicast" {
		invalidArg(w, c, "ter:InvalidStreamSetup", "multicast is not offered by this profile")
		return
	}
	st, ok := m.stream(w, c)
	if !ok {
		return
	}
	uri := "rtsp://" + hostOnly(r) + ":" + strconv.Itoa(st.RTSPPort) + st.RTSPPath
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:GetStreamUriResponse"`
		URI     mediaURI `xml:"trt:MediaUri"`
	}{URI: mediaURI{URI: uri, Timeout: "PT0S"}})
}

func (m *mediaService) getSnapshotURI(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	if !token(w, c, "ProfileToken", ProfileToken, "ter:NoProfile", false) {
		return
	}
	m.s.writeResponse(w, c, struct {
		XMLName xml.Name `xml:"trt:GetSnapshotUriResponse"`
		URI     mediaURI `xml:"trt:MediaUri"`
	}{URI: mediaURI{URI: c.BaseURL + SnapshotPath, Timeout: "PT0S"}})
}

// --- profiles cannot be created or deleted

func (m *mediaService) createProfile(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	fault(w, c, soap.Receiver, "the maximum number of profiles is reached", soap.SubAction, "ter:MaxNVTProfiles")
}

func (m *mediaService) deleteProfile(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if err := c.Req.Decode(&req); err != nil {
		invalidArg(w, c, "", "malformed DeleteProfile")
		return
	}
	if strings.TrimSpace(req.ProfileToken) == ProfileToken {
		fault(w, c, soap.Sender, "the profile is fixed and cannot be deleted", soap.SubAction, "ter:DeletionOfFixedProfile")
		return
	}
	invalidArg(w, c, "ter:NoProfile", "no such profile")
}

// emptyList answers a Get…s operation for something the camera does not have.
func (m *mediaService) emptyList(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	m.s.writeResponse(w, c, struct{ XMLName xml.Name }{xml.Name{Local: "trt:" + c.Req.Operation.Local + "Response"}})
}
