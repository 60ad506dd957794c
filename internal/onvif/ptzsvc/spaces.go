package ptzsvc

import "encoding/xml"

// Space URIs (ONVIF PTZ service specification, "Generic spaces").
const (
	SpacePositionGeneric    = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
	SpaceTranslationGeneric = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationGenericSpace"
	SpaceTranslationFov     = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov"
	SpaceVelocityGeneric    = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace"
	SpaceSpeedGeneric       = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/GenericSpeedSpace"
)

// Tokens of the single node, configuration and media profile.
const (
	NodeToken          = "PTZNode_1"
	ConfigurationToken = "PTZConfig_1"
	ProfileToken       = "Profile_1"
)

// Range is a tt:FloatRange.
type Range struct {
	Min float64 `xml:"tt:Min"`
	Max float64 `xml:"tt:Max"`
}

// Space2D is a tt:Space2DDescription: a space URI with its X and Y ranges.
type Space2D struct {
	URI    string `xml:"tt:URI"`
	XRange Range  `xml:"tt:XRange"`
	YRange Range  `xml:"tt:YRange"`
}

// Space1D is a tt:Space1DDescription (the speed space).
type Space1D struct {
	URI    string `xml:"tt:URI"`
	XRange Range  `xml:"tt:XRange"`
}

// Vector2D is a tt:Vector2D (PanTilt position, translation or speed).
type Vector2D struct {
	X     float64 `xml:"x,attr"`
	Y     float64 `xml:"y,attr"`
	Space string  `xml:"space,attr,omitempty"`
}

// Speed is a tt:PTZSpeed without zoom.
type Speed struct {
	PanTilt Vector2D `xml:"tt:PanTilt"`
}

// PanTiltLimits is a tt:PanTiltLimits.
type PanTiltLimits struct {
	Range Space2D `xml:"tt:Range"`
}

// Configuration is the tt:PTZConfiguration of the camera's one profile. The
// media service embeds the value as it is in trt:Profiles (GetProfiles);
// xml.Marshal writes it as <tt:PTZConfiguration token="PTZConfig_1"> with
// tt: children, relying on the prefixes the response envelope declares.
// DefaultAbsolutePantTiltPositionSpace is spelled as in the ONVIF schema
// (and as Home Assistant reads it).
type Configuration struct {
	XMLName                                xml.Name      `xml:"tt:PTZConfiguration"`
	Token                                  string        `xml:"token,attr"`
	Name                                   string        `xml:"tt:Name"`
	UseCount                               int           `xml:"tt:UseCount"`
	NodeToken                              string        `xml:"tt:NodeToken"`
	DefaultAbsolutePantTiltPositionSpace   string        `xml:"tt:DefaultAbsolutePantTiltPositionSpace"`
	DefaultRelativePanTiltTranslationSpace string        `xml:"tt:DefaultRelativePanTiltTranslationSpace"`
	DefaultContinuousPanTiltVelocitySpace  string        `xml:"tt:DefaultContinuousPanTiltVelocitySpace"`
	DefaultPTZSpeed                        Speed         `xml:"tt:DefaultPTZSpeed"`
	DefaultPTZTimeout                      string        `xml:"tt:DefaultPTZTimeout"`
	PanTiltLimits                          PanTiltLimits `xml:"tt:PanTiltLimits"`
}

// tptzConfiguration is Configuration written as tptz:PTZConfiguration, the
// element name of the PTZ service's own responses.
type tptzConfiguration Configuration

func (c tptzConfiguration) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(Configuration(c), xml.StartElement{Name: xml.Name{Local: "tptz:PTZConfiguration"}})
}

// unit is the −1..1 range of the generic spaces (and of the FOV space,
// whose spec default is ±INF but which Frigate interpolates into, so it
// must be finite).
var unit = Range{Min: -1, Max: 1}

func space2D(uri string) Space2D { return Space2D{URI: uri, XRange: unit, YRange: unit} }

// spaces is a tt:PTZSpaces without zoom, in schema order.
type spaces struct {
	AbsolutePanTiltPositionSpace    []Space2D `xml:"tt:AbsolutePanTiltPositionSpace"`
	RelativePanTiltTranslationSpace []Space2D `xml:"tt:RelativePanTiltTranslationSpace"`
	ContinuousPanTiltVelocitySpace  []Space2D `xml:"tt:ContinuousPanTiltVelocitySpace"`
	PanTiltSpeedSpace               []Space1D `xml:"tt:PanTiltSpeedSpace"`
}

func supportedSpaces() spaces {
	return spaces{
		AbsolutePanTiltPositionSpace:    []Space2D{space2D(SpacePositionGeneric)},
		RelativePanTiltTranslationSpace: []Space2D{space2D(SpaceTranslationGeneric), space2D(SpaceTranslationFov)},
		ContinuousPanTiltVelocitySpace:  []Space2D{space2D(SpaceVelocityGeneric)},
		PanTiltSpeedSpace:               []Space1D{{URI: SpaceSpeedGeneric, XRange: Range{Min: 0, Max: 1}}},
	}
}

// node is a tt:PTZNode written as tptz:PTZNode.
type node struct {
	XMLName                xml.Name `xml:"tptz:PTZNode"`
	Token                  string   `xml:"token,attr"`
	FixedHomePosition      bool     `xml:"FixedHomePosition,attr"`
	GeoMove                bool     `xml:"GeoMove,attr"`
	Name                   string   `xml:"tt:Name"`
	SupportedPTZSpaces     spaces   `xml:"tt:SupportedPTZSpaces"`
	MaximumNumberOfPresets int      `xml:"tt:MaximumNumberOfPresets"`
	HomeSupported          bool     `xml:"tt:HomeSupported"`
}

// configurationOptions is a tt:PTZConfigurationOptions written as
// tptz:PTZConfigurationOptions.
type configurationOptions struct {
	XMLName    xml.Name `xml:"tptz:PTZConfigurationOptions"`
	Spaces     spaces   `xml:"tt:Spaces"`
	PTZTimeout struct {
		Min string `xml:"tt:Min"`
		Max string `xml:"tt:Max"`
	} `xml:"tt:PTZTimeout"`
}
