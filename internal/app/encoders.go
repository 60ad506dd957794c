package app

import (
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/pipeline"
)

// encoderFactory returns what the pipeline calls to make an encoder for a picture size, or an
// error when this build has no encoder for codec (a pure-Go build has no H.264 encoder).
func encoderFactory(cfg *conf.Config, codec media.Codec) (func(w, h int) (pipeline.Encoder, error), error) {
	if codec == media.CodecMJPEG {
		q := cfg.Freecam.SnapshotQuality
		return func(int, int) (pipeline.Encoder, error) {
			return &mjpegEncoder{jpeg: encode.NewJPEG(), quality: q}, nil
		}, nil
	}
	opts := encode.H264Options{
		FPSNum:      cfg.RTSP.FramerateNum,
		FPSDen:      cfg.RTSP.FramerateDen,
		BitrateKbps: cfg.RTSP.BitrateKbps,
		RateControl: encode.RateControl(cfg.RTSP.RateControl),
		GOPFrames:   gopFrames(cfg),
	}
	// Probe once so a build without an encoder says so at start rather than per frame.
	probe := opts
	probe.Width, probe.Height = 64, 64
	e, err := encode.NewH264(probe)
	if err != nil {
		return nil, err
	}
	_ = e.Close()
	return func(w, h int) (pipeline.Encoder, error) {
		o := opts
		o.Width, o.Height = w, h
		return encode.NewH264(o)
	}, nil
}

// gopFrames is GOP_SECONDS worth of frames at the configured rate, at least 1.
func gopFrames(cfg *conf.Config) int {
	fps := float64(cfg.RTSP.FramerateNum) / float64(max(cfg.RTSP.FramerateDen, 1))
	return max(int(cfg.Freecam.GOP.Seconds()*fps+0.5), 1)
}

// mjpegEncoder serves CODEC=MJPG: every picture becomes one JPEG, and every JPEG is a keyframe.
type mjpegEncoder struct {
	jpeg    *encode.JPEGEncoder
	quality int
}

func (m *mjpegEncoder) Encode(raw *media.RawFrame, emit func(*media.Frame)) error {
	// A fresh buffer per frame: the frame is shared read-only with every reader afterwards.
	data, err := m.jpeg.Encode(nil, raw, m.quality)
	if err != nil {
		return err
	}
	emit(&media.Frame{Codec: media.CodecMJPEG, PTS: raw.PTS, Time: raw.Time, Key: true, NALUs: [][]byte{data}})
	return nil
}

func (m *mjpegEncoder) RequestKeyframe() {}
func (m *mjpegEncoder) Close() error     { return m.jpeg.Close() }
