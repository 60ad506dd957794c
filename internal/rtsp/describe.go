package rtsp

import (
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"

	"github.com/freecam/freecam/internal/media"
)

// ready reports whether the hub can give a new reader something decodable: SPS/PPS for H.264,
// a first picture for MJPEG.
func (s *Server) ready() bool {
	if s.opts.Codec == media.CodecMJPEG {
		return s.opts.Hub.Stats().WindowFrames > 0
	}
	sps, pps := s.opts.Hub.H264Params()
	return sps != nil && pps != nil
}

// waitReady waits up to Options.WaitParams for the stream to be up. It polls because the hub has
// no notification for it; it only runs while a DESCRIBE or SETUP is waiting.
func (s *Server) waitReady() bool {
	if s.ready() {
		return true
	}
	deadline := time.NewTimer(s.opts.WaitParams)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if s.ready() {
				return true
			}
		case <-deadline.C:
			return s.ready()
		case <-s.ctx.Done():
			return false
		}
	}
}

// format returns a new RTP format with the hub's current parameters.
func (s *Server) format() format.Format {
	sps, pps := s.opts.Hub.H264Params()
	return newFormat(s.opts.Codec, sps, pps)
}

// sdp is the unicast DESCRIBE body: one video track, control trackID=0 as gortsplib's SETUP
// handling expects, with sprop-parameter-sets from the hub's SPS/PPS.
func (s *Server) sdp() ([]byte, error) {
	desc := description.Session{
		Title: "freecam",
		Medias: []*description.Media{{
			Type:    description.MediaTypeVideo,
			Control: "trackID=0",
			Formats: []format.Format{s.format()},
		}},
	}
	return desc.Marshal()
}

// authorize checks the request's credentials: the rtspserver.conf account with Basic or
// Digest, then Options.Authenticate with Basic. Without any account every request passes.
func (s *Server) authorize(sc interface {
	VerifyCredentials(req *base.Request, user, pass string) bool
}, req *base.Request) bool {
	o := &s.opts
	if !o.authEnabled() {
		return true
	}
	if o.Username != "" && sc.VerifyCredentials(req, o.Username, o.Password) {
		return true
	}
	if o.Authenticate != nil {
		var h headers.Authorization
		if h.Unmarshal(req.Header["Authorization"]) == nil &&
			h.Method == headers.AuthMethodBasic && h.Username != "" {
			return o.Authenticate(h.Username, h.BasicPass)
		}
	}
	return false
}
