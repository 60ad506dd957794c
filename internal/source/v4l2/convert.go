package v4l2

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/freecam/freecam/internal/media"
)

// YUYVToI420 converts a packed YUYV 4:2:2 picture (stride bytes per row) into dst, whose Width
// and Height must be even and no larger than the source. Chroma of each row pair is averaged.
func YUYVToI420(dst *media.RawFrame, src []byte, stride int) error {
	w, h := dst.Width, dst.Height
	if stride < 2*w || len(src) < stride*(h-1)+2*w {
		return fmt.Errorf("yuyv: got %d bytes with stride %d, want %dx%d", len(src), stride, w, h)
	}
	cw := w / 2
	for y := 0; y < h; y += 2 {
		r0 := src[y*stride : y*stride+2*w]
		r1 := src[(y+1)*stride : (y+1)*stride+2*w]
		y0 := dst.Y[y*w : (y+1)*w]
		y1 := dst.Y[(y+1)*w : (y+2)*w]
		cb := dst.Cb[(y/2)*cw : (y/2+1)*cw]
		cr := dst.Cr[(y/2)*cw : (y/2+1)*cw]
		for x := 0; x < cw; x++ {
			p0 := r0[4*x : 4*x+4 : 4*x+4]
			p1 := r1[4*x : 4*x+4 : 4*x+4]
			y0[2*x], y0[2*x+1] = p0[0], p0[2]
			y1[2*x], y1[2*x+1] = p1[0], p1[2]
			cb[x] = byte((uint(p0[1]) + uint(p1[1]) + 1) >> 1)
			cr[x] = byte((uint(p0[3]) + uint(p1[3]) + 1) >> 1)
		}
	}
	return nil
}

// DecodeMJPEG decodes one JPEG image from a camera into a new I420 frame, cropping odd sizes to
// even. It fills in the standard Huffman tables that many UVC cameras leave out.
func DecodeMJPEG(data []byte) (*media.RawFrame, error) {
	img, err := jpeg.Decode(bytes.NewReader(withHuffmanTables(data)))
	if err != nil {
		return nil, fmt.Errorf("mjpeg: %w", err)
	}
	b := img.Bounds()
	w, h := b.Dx()&^1, b.Dy()&^1
	if w == 0 || h == 0 {
		return nil, fmt.Errorf("mjpeg: picture of %dx%d is too small", b.Dx(), b.Dy())
	}
	dst := media.NewRawFrame(w, h)
	switch m := img.(type) {
	case *image.YCbCr:
		ycbcrToI420(dst, m)
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(dst.Y[y*w:(y+1)*w], m.Pix[y*m.Stride:])
		}
	default:
		return nil, fmt.Errorf("mjpeg: unsupported JPEG colour model %T", img)
	}
	return dst, nil
}

// ycbcrToI420 copies luma and resamples chroma to 4:2:0 by averaging.
func ycbcrToI420(dst *media.RawFrame, m *image.YCbCr) {
	w, h := dst.Width, dst.Height
	for y := 0; y < h; y++ {
		copy(dst.Y[y*w:(y+1)*w], m.Y[y*m.YStride:])
	}
	cw, ch := w/2, h/2
	// Source chroma sample size in luma pixels.
	sx, sy := 1, 1
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio420:
		sx, sy = 2, 2
	case image.YCbCrSubsampleRatio422:
		sx, sy = 2, 1
	case image.YCbCrSubsampleRatio440:
		sx, sy = 1, 2
	case image.YCbCrSubsampleRatio411:
		sx, sy = 4, 1
	case image.YCbCrSubsampleRatio410:
		sx, sy = 4, 2
	}
	for y := 0; y < ch; y++ {
		for x := 0; x < cw; x++ {
			// The 2×2 luma block (2x, 2y) covers these source chroma samples.
			x0, x1 := 2*x/sx, (2*x+1)/sx
			y0, y1 := 2*y/sy, (2*y+1)/sy
			i00, i01 := y0*m.CStride+x0, y0*m.CStride+x1
			i10, i11 := y1*m.CStride+x0, y1*m.CStride+x1
			dst.Cb[y*cw+x] = byte((uint(m.Cb[i00]) + uint(m.Cb[i01]) + uint(m.Cb[i10]) + uint(m.Cb[i11]) + 2) >> 2)
			dst.Cr[y*cw+x] = byte((uint(m.Cr[i00]) + uint(m.Cr[i01]) + uint(m.Cr[i10]) + uint(m.Cr[i11]) + 2) >> 2)
		}
	}
}
