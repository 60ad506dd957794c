//go:build !cgo

package encode

// NewH264 reports that this build has no software H.264 encoder: x264 needs cgo.
func NewH264(opts H264Options) (H264Encoder, error) {
	return nil, ErrNoH264Encoder
}
