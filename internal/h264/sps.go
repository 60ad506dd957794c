package h264

import (
	"fmt"

	mch264 "github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// SPSInfo returns the picture size (after cropping) a sequence parameter set describes. sps is one
// NAL unit without start code, header byte included.
func SPSInfo(sps []byte) (width, height int, err error) {
	var s mch264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return 0, 0, fmt.Errorf("h264: parse SPS: %w", err)
	}
	return s.Width(), s.Height(), nil
}

// IsKey reports whether an access unit contains an IDR slice.
func IsKey(nalus [][]byte) bool {
	for _, n := range nalus {
		if len(n) > 0 && n[0]&0x1f == naluIDR {
			return true
		}
	}
	return false
}

// ParamSets returns the last SPS and PPS among an access unit's NAL units (nil when absent). The
// slices alias nalus.
func ParamSets(nalus [][]byte) (sps, pps []byte) {
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch n[0] & 0x1f {
		case naluSPS:
			sps = n
		case naluPPS:
			pps = n
		}
	}
	return sps, pps
}
