// Package h264 holds small helpers for H.264 Annex B byte streams: a streaming access-unit
// splitter for bytes read from a pipe or a capture device, and SPS inspection. It does not decode
// pictures and keeps no global state.
package h264
