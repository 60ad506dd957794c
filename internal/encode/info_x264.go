//go:build cgo && ((linux && (amd64 || arm64)) || (darwin && amd64))

package encode

// H264Backend names the software H.264 encoder compiled in: "x264" here, "" in a build without
// one (see NewH264). It is what `freecam version` reports.
const H264Backend = "x264"
