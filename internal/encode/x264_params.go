//go:build cgo && ((linux && (amd64 || arm64)) || (darwin && amd64))

package encode

import (
	"fmt"

	"github.com/gen2brain/x264-go/x264c"
)

// Defaults and fixed choices of the x264 encoder.
const (
	// x264DefaultBitrateKbps is H264Options.BitrateKbps when it is 0.
	x264DefaultBitrateKbps = 2000
	// x264FixedQP is the constant quantiser of RateFixedQP: visually good for a surveillance
	// picture, about what the VBR mode settles on for a calm scene.
	x264FixedQP = 26
	// x264CRF is the quality target of RateVBR and RateSmart (x264's own default).
	x264CRF = 23
	// x264Profile is the H.264 profile of every stream. ultrafast already switches off every
	// Main-profile tool (CABAC, B-frames, 8×8 transform, weighted prediction), so Constrained
	// Baseline costs nothing here and is the one profile every decoder must handle: ffmpeg,
	// GStreamer, NVRs, browsers' WebRTC (profile-level-id 42e0xx) and hardware decoders.
	x264Profile = "baseline"
)

// x264Config is H264Options with the defaults applied, validated.
type x264Config struct {
	width, height  int
	fpsNum, fpsDen int
	bitrateKbps    int
	rc             RateControl
	gop            int
	threads        int // x264 threads; 1 = no C threads at all (see newX264)
}

// newX264Config applies H264Options' documented defaults and rejects what x264 cannot encode.
func newX264Config(opts H264Options, threads int) (x264Config, error) {
	c := x264Config{
		width: opts.Width, height: opts.Height,
		fpsNum: opts.FPSNum, fpsDen: opts.FPSDen,
		bitrateKbps: opts.BitrateKbps,
		rc:          opts.RateControl,
		gop:         opts.GOPFrames,
		threads:     threads,
	}
	switch {
	case c.width <= 0 || c.height <= 0 || c.width%2 != 0 || c.height%2 != 0:
		return c, fmt.Errorf("x264: size %dx%d: width and height must be positive and even", c.width, c.height)
	case c.width > 8192 || c.height > 8192:
		return c, fmt.Errorf("x264: size %dx%d: larger than 8192", c.width, c.height)
	case c.fpsNum <= 0 || c.fpsDen <= 0:
		return c, fmt.Errorf("x264: frame rate %d/%d: numerator and denominator must be positive", c.fpsNum, c.fpsDen)
	case c.bitrateKbps < 0:
		return c, fmt.Errorf("x264: bitrate %d kbit/s: must not be negative (0 means %d)", c.bitrateKbps, x264DefaultBitrateKbps)
	case c.rc < RateFixedQP || c.rc > RateSmart:
		return c, fmt.Errorf("x264: rate control (VIDEOFORMAT) %d: must be 0 (FixedQp), 1 (CBR), 2 (VBR) or 3 (SMART)", int(c.rc))
	case c.gop < 0:
		return c, fmt.Errorf("x264: GOP %d frames: must not be negative (0 means 2 s)", c.gop)
	}
	if c.bitrateKbps == 0 {
		c.bitrateKbps = x264DefaultBitrateKbps
	}
	if c.gop == 0 {
		c.gop = max(1, (2*c.fpsNum+c.fpsDen/2)/c.fpsDen) // 2 s, rounded
	}
	if c.threads <= 0 {
		c.threads = 1
	}
	return c, nil
}

// param builds x264's parameters for c.
//
// Choices (see the package's report for the measurements behind them):
//   - preset ultrafast, tune zerolatency: no lookahead, no B-frames, no frame threads, so every
//     x264_encoder_encode returns the picture it was given.
//   - threads = 1 (no sliced threads): one slice per picture and no C threads. Measured at
//     720p on a loaded 2-vCPU machine, two sliced threads cut the wall time per picture by
//     0-25 % and the CPU per picture not at all (bundled x264: 14.4 vs 14.8 ms CPU; Debian's
//     libx264: 6.3 vs 6.0 ms), while one picture already fits its 66 ms slot at 15 fps many
//     times over; the other core is better left to the rest of the pipeline.
//   - scenecut off and keyint_min = keyint_max: IDRs come only every GOP frames or when asked
//     for, so the stream hub's GOP cache and pre-roll hold predictable, whole GOPs (a day/night
//     switch would otherwise add an IDR burst).
//   - SPS and PPS repeated before every IDR, no intra refresh, no AUD, constant frame rate.
//   - Output as length-prefixed NAL units (b_annexb = 0): every payload starts with a 4-byte
//     size, which Encode checks and drops, so no start-code scanning is needed.
func (c x264Config) param() (*x264c.Param, error) {
	var p x264c.Param
	if x264c.ParamDefaultPreset(&p, "ultrafast", "zerolatency") < 0 {
		return nil, fmt.Errorf("x264: preset ultrafast/zerolatency not accepted")
	}
	p.IThreads = int32(c.threads)
	p.BSlicedThreads = 0
	if c.threads > 1 {
		p.BSlicedThreads = 1
	}
	p.ILookaheadThreads = 1
	p.ILogLevel = x264c.LogError
	p.IWidth = int32(c.width)
	p.IHeight = int32(c.height)
	p.ICsp = x264c.CspI420
	p.IFpsNum = uint32(c.fpsNum)
	p.IFpsDen = uint32(c.fpsDen)
	p.ITimebaseNum = uint32(c.fpsDen)
	p.ITimebaseDen = uint32(c.fpsNum)
	p.BVfrInput = 0
	p.IBframe = 0
	p.IKeyintMax = int32(c.gop)
	p.IKeyintMin = int32(c.gop)
	p.IScenecutThreshold = 0
	p.BIntraRefresh = 0
	p.BRepeatHeaders = 1
	p.BAnnexb = 0
	p.BAud = 0
	p.Vui.BFullrange = 0

	kbps := int32(c.bitrateKbps)
	switch c.rc {
	case RateFixedQP:
		p.Rc.IRcMethod = x264c.RcCqp
		p.Rc.IQpConstant = x264FixedQP
	case RateCBR:
		// ABR held by a 1 s VBV: x264 has no hard CBR without filler NALs, which would waste
		// Wi-Fi bandwidth; the VBV keeps every second within the bitrate.
		p.Rc.IRcMethod = x264c.RcAbr
		p.Rc.IBitrate = kbps
		p.Rc.IVbvMaxBitrate = kbps
		p.Rc.IVbvBufferSize = kbps
	case RateVBR:
		// Constant quality, capped at the bitrate over a 1 s buffer: a calm scene costs little,
		// a busy one never exceeds BITRATE for long.
		p.Rc.IRcMethod = x264c.RcCrf
		p.Rc.FRfConstant = x264CRF
		p.Rc.IVbvMaxBitrate = kbps
		p.Rc.IVbvBufferSize = kbps
	case RateSmart:
		// The firmware's SMART ("smart P", lower rate on static scenes) has no x264 equivalent.
		// CRF already spends little on static scenes; a 2 s buffer additionally lets IDRs and
		// short bursts of motion keep their quality while the average stays capped.
		p.Rc.IRcMethod = x264c.RcCrf
		p.Rc.FRfConstant = x264CRF
		p.Rc.IVbvMaxBitrate = kbps
		p.Rc.IVbvBufferSize = 2 * kbps
	}
	if x264c.ParamApplyProfile(&p, x264Profile) < 0 {
		return nil, fmt.Errorf("x264: profile %s not accepted with these options", x264Profile)
	}
	return &p, nil
}
