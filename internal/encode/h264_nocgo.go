//go:build !(cgo && ((linux && (amd64 || arm64)) || (darwin && amd64)))

package encode

// NewH264 reports that this build has no software H.264 encoder. x264 needs cgo, and the
// binding's Go mirrors of x264's C structs (github.com/gen2brain/x264-go/x264c) are laid out for
// 64-bit targets only, so 32-bit builds (arm, 386, mipsle) never use it even with cgo: they would
// hand x264 misaligned parameters.
func NewH264(opts H264Options) (H264Encoder, error) {
	return nil, ErrNoH264Encoder
}
