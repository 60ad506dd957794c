package v4l2

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/freecam/freecam/internal/media"
)

func TestYUYVToI420(t *testing.T) {
	// 4x2 picture with a stride of 10 (2 bytes of padding per row).
	src := []byte{
		10, 100, 11, 200, 12, 102, 13, 202, 0xee, 0xee,
		20, 110, 21, 210, 22, 112, 23, 212, 0xee, 0xee,
	}
	f := media.NewRawFrame(4, 2)
	if err := YUYVToI420(f, src, 10); err != nil {
		t.Fatal(err)
	}
	want := media.RawFrame{Y: []byte{10, 11, 12, 13, 20, 21, 22, 23}, Cb: []byte{105, 107}, Cr: []byte{205, 207}}
	if !bytes.Equal(f.Y, want.Y) || !bytes.Equal(f.Cb, want.Cb) || !bytes.Equal(f.Cr, want.Cr) {
		t.Fatalf("got Y %v Cb %v Cr %v, want Y %v Cb %v Cr %v", f.Y, f.Cb, f.Cr, want.Y, want.Cb, want.Cr)
	}
	if err := YUYVToI420(f, src[:15], 10); err == nil {
		t.Fatal("short buffer: got nil, want an error")
	}
}

// solidJPEG encodes a w×h picture of one YCbCr colour with Go's encoder (4:2:0).
func solidJPEG(t *testing.T, w, h int, y, cb, cr byte) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = y
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = cb, cr
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stripDHT removes every DHT segment, as UVC cameras send their MJPEG frames.
func stripDHT(t *testing.T, data []byte) []byte {
	t.Helper()
	out := append([]byte(nil), data[:2]...)
	i := 2
	for data[i+1] != 0xda {
		n := int(data[i+2])<<8 | int(data[i+3])
		if data[i+1] != 0xc4 {
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	if len(out)+len(data)-i == len(data) {
		t.Fatal("test JPEG has no DHT to strip")
	}
	return append(out, data[i:]...)
}

func near(a, b byte) bool { return a+2 >= b && b+2 >= a }

func TestDecodeMJPEG(t *testing.T) {
	full := solidJPEG(t, 34, 18, 100, 60, 200)
	tests := []struct {
		name string
		data []byte
	}{
		{"with tables", full},
		{"without Huffman tables", stripDHT(t, full)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := DecodeMJPEG(tt.data)
			if err != nil {
				t.Fatalf("DecodeMJPEG: %v", err)
			}
			if f.Width != 34 || f.Height != 18 {
				t.Fatalf("got %dx%d, want 34x18", f.Width, f.Height)
			}
			for i, v := range f.Y {
				if !near(v, 100) {
					t.Fatalf("Y[%d]: got %d, want 100±2", i, v)
				}
			}
			for i := range f.Cb {
				if !near(f.Cb[i], 60) || !near(f.Cr[i], 200) {
					t.Fatalf("chroma %d: got Cb %d Cr %d, want 60 and 200 ±2", i, f.Cb[i], f.Cr[i])
				}
			}
		})
	}
	if _, err := DecodeMJPEG([]byte{0xff, 0xd8, 0xff, 0xd9}); err == nil {
		t.Fatal("broken JPEG: got nil, want an error")
	}
}

func TestYCbCr422ToI420(t *testing.T) {
	// 4x4 picture in 4:2:2: chroma is 2 wide and 4 tall; I420 averages row pairs.
	m := image.NewYCbCr(image.Rect(0, 0, 4, 4), image.YCbCrSubsampleRatio422)
	for i := range m.Y {
		m.Y[i] = byte(i)
	}
	copy(m.Cb, []byte{10, 20, 30, 40, 50, 60, 70, 80})
	copy(m.Cr, []byte{90, 100, 110, 120, 130, 140, 150, 160})
	f := media.NewRawFrame(4, 4)
	ycbcrToI420(f, m)
	if want := []byte{20, 30, 60, 70}; !bytes.Equal(f.Cb, want) {
		t.Fatalf("Cb: got %v, want %v", f.Cb, want)
	}
	if want := []byte{100, 110, 140, 150}; !bytes.Equal(f.Cr, want) {
		t.Fatalf("Cr: got %v, want %v", f.Cr, want)
	}
	if !bytes.Equal(f.Y, m.Y) {
		t.Fatalf("Y: got %v, want %v", f.Y, m.Y)
	}
}

func BenchmarkYUYVToI420720p(b *testing.B) {
	src := make([]byte, 1280*720*2)
	for i := range src {
		src[i] = byte(i)
	}
	f := media.NewRawFrame(1280, 720)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if err := YUYVToI420(f, src, 2560); err != nil {
			b.Fatal(err)
		}
	}
}
