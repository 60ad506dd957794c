package v4l2

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

func TestStructSizes(t *testing.T) {
	long := unsafe.Sizeof(uintptr(0))
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"v4l2_capability", unsafe.Sizeof(capability{}), 104},
		{"v4l2_pix_format", unsafe.Sizeof(pixFormat{}), 48},
		{"v4l2_format", unsafe.Sizeof(format{}), map[uintptr]uintptr{4: 204, 8: 208}[long]},
		{"v4l2_requestbuffers", unsafe.Sizeof(requestBuffers{}), 20},
		{"v4l2_buffer", unsafe.Sizeof(buffer{}), map[uintptr]uintptr{4: 68, 8: 88}[long]},
		{"v4l2_streamparm", unsafe.Sizeof(streamParm{}), 204},
		{"v4l2_buffer.m offset", unsafe.Offsetof(buffer{}.M), map[uintptr]uintptr{4: 52, 8: 64}[long]},
		{"v4l2_format.fmt offset", unsafe.Offsetof(format{}.Pix), long},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	// Known values from <linux/videodev2.h> on x86-64 and arm64.
	if long == 8 && iocSizeBits == 14 {
		if vidiocQueryCap != 0x80685600 || vidiocDQBuf != 0xc0585611 || vidiocSFmt != 0xc0d05605 || vidiocStreamOn != 0x40045612 {
			t.Errorf("ioctl numbers: got QUERYCAP %#x DQBUF %#x S_FMT %#x STREAMON %#x", vidiocQueryCap, vidiocDQBuf, vidiocSFmt, vidiocStreamOn)
		}
	}
}

func TestOpenNotADevice(t *testing.T) {
	file := filepath.Join(t.TempDir(), "video0")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{file, "not a video device"},
		{"/dev/null", "not a V4L2 video device"},
		{filepath.Join(t.TempDir(), "missing"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := New(tt.path, Options{}, nil).Run(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("got %v, want an error naming %s and containing %q", err, tt.path, tt.want)
			}
		})
	}
}
