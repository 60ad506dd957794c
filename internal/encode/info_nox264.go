//go:build !(cgo && ((linux && (amd64 || arm64)) || (darwin && amd64)))

package encode

// H264Backend names the software H.264 encoder compiled in: "" in this build, which has none
// (NewH264 returns ErrNoH264Encoder).
const H264Backend = ""
