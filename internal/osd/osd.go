// Package osd draws the on-screen display of the Dafang firmware (osd.conf: ENABLE_OSD, OSD,
// DISPLAY_AXIS, COLOR, SIZE, SPACE, POSY, FIXEDW) into raw I420 frames before they are encoded.
//
// The text is a strftime pattern (see Strftime) rendered with a built-in 6×13 bitmap font
// (golang.org/x/image/font/basicfont, ASCII) scaled by whole numbers and outlined so it reads on
// any background. The rendered text is cached as pre-computed pixel spans; as the clock changes at
// most once a second, the per-frame cost is formatting the pattern, one byte comparison and a
// blit, with no allocations.
//
// osd.conf maps onto Options as: ENABLE_OSD → Enabled, OSD → Pattern, COLOR → Color (0–7 as is,
// an RGBA number as 0xRRGGBBAA), SIZE → Size, SPACE → Space, POSY → PosY, FIXEDW → FixedWidth,
// DISPLAY_AXIS=true → AxisText set to a function returning the motor position.
//
// The package does not parse osd.conf (internal/conf does) and does not log: Draw sits in the
// per-frame path. FONTNAME (a TTF font file) is not supported; the built-in font is always used.
package osd
