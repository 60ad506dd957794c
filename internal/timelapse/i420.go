package timelapse

import (
	"image"
	"image/color"

	"github.com/freecam/freecam/internal/media"
)

// toI420 copies the top-left raw.Width×raw.Height of img into raw. 4:2:0 YCbCr (what freecam's
// snapshots are) is copied plane by plane; anything else is converted pixel by pixel.
func toI420(img image.Image, raw *media.RawFrame) {
	w, h := raw.Width, raw.Height
	if y, ok := img.(*image.YCbCr); ok && y.SubsampleRatio == image.YCbCrSubsampleRatio420 {
		b := y.Rect
		for row := range h {
			off := y.YOffset(b.Min.X, b.Min.Y+row)
			copy(raw.Y[row*w:(row+1)*w], y.Y[off:off+w])
		}
		cw := w / 2
		for row := range h / 2 {
			off := y.COffset(b.Min.X, b.Min.Y+2*row)
			copy(raw.Cb[row*cw:(row+1)*cw], y.Cb[off:off+cw])
			copy(raw.Cr[row*cw:(row+1)*cw], y.Cr[off:off+cw])
		}
		return
	}
	b := img.Bounds()
	for row := range h {
		for col := range w {
			c := color.YCbCrModel.Convert(img.At(b.Min.X+col, b.Min.Y+row)).(color.YCbCr)
			raw.Y[row*w+col] = c.Y
			if row%2 == 0 && col%2 == 0 {
				i := (row/2)*(w/2) + col/2
				raw.Cb[i] = c.Cb
				raw.Cr[i] = c.Cr
			}
		}
	}
}
