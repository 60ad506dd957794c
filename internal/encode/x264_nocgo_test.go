//go:build !(cgo && ((linux && (amd64 || arm64)) || (darwin && amd64)))

package encode

import (
	"errors"
	"testing"
)

func TestNewH264WithoutCgo(t *testing.T) {
	enc, err := NewH264(H264Options{Width: 320, Height: 240, FPSNum: 15, FPSDen: 1})
	if !errors.Is(err, ErrNoH264Encoder) {
		t.Fatalf("got error %v, want ErrNoH264Encoder", err)
	}
	if enc != nil {
		t.Fatalf("got encoder %v, want nil", enc)
	}
}
