package osd

import "time"

// Defaults used for zero values in Options.
const (
	// DefaultPattern is the firmware's default OSD text (osd.conf OSD=).
	DefaultPattern = "%H:%M:%S %d.%m.%Y"
	// DefaultSize is the firmware's default font size (osd.conf SIZE=12).
	DefaultSize = 12
)

// Options configure the on-screen display. The zero value is a disabled OSD; with Enabled set,
// every other zero value selects the firmware's default.
type Options struct {
	// Enabled turns the OSD on (ENABLE_OSD). When false, Draw leaves frames untouched.
	Enabled bool

	// Pattern is the strftime pattern of the text (OSD), see Strftime for the conversions.
	// "" means DefaultPattern. %n (or a newline) starts a new line.
	Pattern string

	// Color is the text colour (COLOR): 0–7 select the firmware palette (0 white, the default),
	// anything else is 0xRRGGBBAA. See Color.
	Color Color

	// Size is the font size (SIZE): the nominal text height in pixels on a 720-line frame, scaled
	// with the frame height. The built-in 13-pixel font is enlarged by the whole factor
	// round(Size × height / (12 × 720)), at least 1: Size 12 draws 13-pixel glyphs (1.8 % of the
	// height) at 720p and 26-pixel glyphs at 1080p, Size 24 doubles that. Values ≤ 0 mean
	// DefaultSize. Huge values are limited so one line fits the frame.
	Size int

	// Space is extra space between letters in frame pixels (SPACE), within ±65536. It may be negative; each
	// letter still advances at least one pixel. 0 means no extra space.
	Space int

	// PosY is the vertical position of the text (POSY) in frame pixels: 0 places it at the top
	// with a margin of 1/60 of the frame height (12 px at 720p); a positive value is the
	// distance of the top of the text from the top edge; a negative value is the distance of the
	// bottom of the text from the bottom edge (-12 = bottom with a 12 px margin). The text is
	// moved back inside the frame when it would stick out, and clipped when it is larger.
	PosY int

	// FixedWidth gives every character the same width (FIXEDW=true), so a ticking clock does
	// not shift the text. When false, letters are packed by their inked width plus two font pixels
	// (proportional), which is narrower but lets digits move.
	FixedWidth bool

	// AxisText, when not nil, is called once per drawn frame and its result is appended to the
	// time, after one space (DISPLAY_AXIS: the motor position, e.g. "X=1300 Y=350"). Return ""
	// while the position is unknown. It must be cheap and safe to call from the encoder
	// goroutine; returning a string that is rebuilt only when the motors move keeps Draw
	// allocation-free.
	AxisText func() string

	// Location is the time zone of the clock; nil means time.Local.
	Location *time.Location
}

// Color is an OSD text colour as osd.conf COLOR holds it: 0–7 index the firmware palette
// (the order of the firmware's colour list: white, black, red, green, blue, cyan, yellow,
// purple), any other value is 0xRRGGBBAA where AA is the opacity (FF opaque, 00 invisible).
type Color uint32

// The firmware palette (COLOR=0…7).
const (
	White Color = iota
	Black
	Red
	Green
	Blue
	Cyan
	Yellow
	Purple
)

// RGBA returns the Color of the given components; a is the opacity.
func RGBA(r, g, b, a uint8) Color {
	return Color(r)<<24 | Color(g)<<16 | Color(b)<<8 | Color(a)
}

// RGBA returns the colour's components; palette entries are opaque. Purple is (128, 0, 128).
func (c Color) RGBA() (r, g, b, a uint8) {
	switch c {
	case White:
		return 255, 255, 255, 255
	case Black:
		return 0, 0, 0, 255
	case Red:
		return 255, 0, 0, 255
	case Green:
		return 0, 255, 0, 255
	case Blue:
		return 0, 0, 255, 255
	case Cyan:
		return 0, 255, 255, 255
	case Yellow:
		return 255, 255, 0, 255
	case Purple:
		return 128, 0, 128, 255
	}
	return uint8(c >> 24), uint8(c >> 16), uint8(c >> 8), uint8(c)
}
