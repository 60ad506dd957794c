package conf

import (
	"image/color"
	"strconv"
	"strings"
)

// OSDPalette is the firmware's eight OSD colours, indexed by COLOR 0–7:
// white, black, red, green, blue, cyan, yellow, purple.
func OSDPalette() [8]color.RGBA {
	return [8]color.RGBA{
		{255, 255, 255, 255}, {0, 0, 0, 255}, {255, 0, 0, 255}, {0, 255, 0, 255},
		{0, 0, 255, 255}, {0, 255, 255, 255}, {255, 255, 0, 255}, {128, 0, 128, 255},
	}
}

// OSD is osd.conf: the text drawn on the picture. Empty values mean the
// default.
type OSD struct {
	Enabled     bool       // ENABLE_OSD: default true
	Format      string     // OSD: strftime pattern, default "%H:%M:%S %d.%m.%Y"
	DisplayAxis bool       // DISPLAY_AXIS: also show the motors' X/Y position; default false
	Color       color.RGBA // COLOR: 0–7 (OSDPalette) or RRGGBBAA in hex (0x… or #…); default white
	Size        int        // SIZE: text height in pixels, 1–256, default 12
	Spacing     int        // SPACE: extra pixels between characters, 0–64, default 0
	PosY        int        // POSY: top of the text in pixels, 0–4096, default 0
	FixedWidth  bool       // FIXEDW: every character as wide as the widest (built-in font only); default false
	Font        string     // FONTNAME: a .ttf file name in the fonts directory; empty: the built-in font
}

// DefaultOSD returns the firmware's defaults.
func DefaultOSD() OSD {
	return OSD{
		Enabled: true,
		Format:  "%H:%M:%S %d.%m.%Y",
		Color:   OSDPalette()[0],
		Size:    12,
	}
}

func (o *OSD) decode(r *reader) {
	r.bool(&o.Enabled, "ENABLE_OSD")
	if s, _, ok := r.str("OSD"); ok {
		o.Format = s
	}
	r.bool(&o.DisplayAxis, "DISPLAY_AXIS")
	if s, line, ok := r.str("COLOR"); ok {
		c, valid := parseColor(s)
		if !valid {
			r.fail(line, "COLOR", "must be 0 to 7 (white, black, red, green, blue, cyan, yellow, purple) or a hex RRGGBBAA colour such as 0xFF8000FF (got %q)", s)
		}
		if valid {
			o.Color = c
		}
	}
	r.int(&o.Size, "SIZE", 1, 256, "pixels")
	r.int(&o.Spacing, "SPACE", 0, 64, "pixels")
	r.int(&o.PosY, "POSY", 0, 4096, "pixels")
	r.bool(&o.FixedWidth, "FIXEDW")
	if s, line, ok := r.str("FONTNAME"); ok {
		if strings.ContainsAny(s, `/\`) || s == "." || s == ".." {
			r.fail(line, "FONTNAME", "must be a font file name in the fonts directory, without a path (got %q)", s)
		} else {
			o.Font = s
		}
	}
}

func parseColor(s string) (color.RGBA, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 0 && n < 8 {
			return OSDPalette()[n], true
		}
		return color.RGBA{}, false
	}
	h := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "#"), "0x"), "0X")
	if len(h) != 8 {
		return color.RGBA{}, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return color.RGBA{}, false
	}
	return color.RGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}
