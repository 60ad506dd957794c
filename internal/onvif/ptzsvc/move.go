package ptzsvc

import (
	"context"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/onvif/soap"
)

// vector is a PanTilt (or Zoom) element of a request. Missing
// coordinates are nil.
type vector struct {
	X     *float64 `xml:"x,attr"`
	Y     *float64 `xml:"y,attr"`
	Space string   `xml:"space,attr"`
}

// ptzVector is a tt:PTZVector or tt:PTZSpeed as sent. Zoom is accepted and
// ignored: the camera has none, and Home Assistant and the npm client
// always send a Zoom (usually 0).
type ptzVector struct {
	PanTilt *vector `xml:"PanTilt"`
	Zoom    *vector `xml:"Zoom"`
}

func inUnit(v *float64) bool { return v == nil || (!math.IsNaN(*v) && *v >= -1 && *v <= 1) }

func or0(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// startMove starts move or writes the fault that it could not.
func (s *Service) startMove(w http.ResponseWriter, c *soap.Call, timeout time.Duration, what string, move func(ctx context.Context) error) bool {
	if err := s.start(timeout, what, move); err != nil {
		fault(w, c, soap.Receiver, err.Error(), soap.SubAction)
		return false
	}
	return true
}

// continuousMove moves toward the limits the velocity points to until
// Stop, another move or the timeout. The motor has one speed: only the
// signs of the velocity count (|v| picks no speed), and a zero velocity
// stops.
func (s *Service) continuousMove(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string    `xml:"ProfileToken"`
		Velocity     ptzVector `xml:"Velocity"`
		Timeout      string    `xml:"Timeout"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	var vx, vy float64
	if pt := req.Velocity.PanTilt; pt != nil {
		if pt.Space != "" && pt.Space != SpaceVelocityGeneric {
			badArg(w, c, "ter:SpaceNotSupported", "velocity space not supported: "+pt.Space)
			return
		}
		if !inUnit(pt.X) || !inUnit(pt.Y) {
			badArg(w, c, "ter:InvalidVelocity", "velocity x and y must be within -1 and 1")
			return
		}
		vx, vy = or0(pt.X), or0(pt.Y)
	}
	timeout := DefaultTimeout
	if req.Timeout != "" {
		d, err := parseDuration(req.Timeout)
		if err != nil || d < MinTimeout || d > MaxTimeout {
			badArg(w, c, "ter:TimeoutNotSupported", fmt.Sprintf("timeout %q: want %s to %s", req.Timeout, formatDuration(MinTimeout), formatDuration(MaxTimeout)))
			return
		}
		timeout = d
	}
	sx, sy := sign(vx), sign(vy)
	if sx == 0 && sy == 0 {
		s.halt()
		respond(w, c, empty("ContinuousMove"))
		return
	}
	if !s.startMove(w, c, timeout, "continuous", func(ctx context.Context) error {
		return continuous(ctx, s.motor, sx, sy)
	}) {
		return
	}
	respond(w, c, empty("ContinuousMove"))
}

// relativeMove moves by a translation in the generic space (x = 1 is half
// the whole pan range) or the field-of-view space (x = 1 is half the
// picture width, so a point at the right edge comes to the centre), as
// seen in the picture. It answers once the move started.
func (s *Service) relativeMove(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string    `xml:"ProfileToken"`
		Translation  ptzVector `xml:"Translation"`
		Speed        ptzVector `xml:"Speed"` // one speed: ignored
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	pt := req.Translation.PanTilt
	if pt == nil {
		respond(w, c, empty("RelativeMove")) // zoom only: nothing to do
		return
	}
	var scale hal.Position
	switch pt.Space {
	case "", SpaceTranslationGeneric:
		scale = s.motor.Limits()
	case SpaceTranslationFov:
		scale = s.fov
	default:
		badArg(w, c, "ter:SpaceNotSupported", "translation space not supported: "+pt.Space)
		return
	}
	if !inUnit(pt.X) || !inUnit(pt.Y) {
		badArg(w, c, "ter:InvalidTranslation", "translation x and y must be within -1 and 1")
		return
	}
	dx := int(math.Round(or0(pt.X) * float64(scale.X) / 2))
	dy := int(math.Round(or0(pt.Y) * float64(scale.Y) / 2))
	if !s.startMove(w, c, 0, "relative", func(ctx context.Context) error {
		_, err := s.motor.Move(ctx, dx, dy)
		return err
	}) {
		return
	}
	respond(w, c, empty("RelativeMove"))
}

// absoluteMove goes to a position of the generic space: x −1..1 is the
// pan range 0..limit in the motor's frame, y likewise with +1 the top. A
// missing coordinate keeps that axis where it is.
func (s *Service) absoluteMove(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string    `xml:"ProfileToken"`
		Position     ptzVector `xml:"Position"`
		Speed        ptzVector `xml:"Speed"` // one speed: ignored
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	pt := req.Position.PanTilt
	if pt == nil {
		respond(w, c, empty("AbsoluteMove"))
		return
	}
	if pt.Space != "" && pt.Space != SpacePositionGeneric {
		badArg(w, c, "ter:SpaceNotSupported", "position space not supported: "+pt.Space)
		return
	}
	if !inUnit(pt.X) || !inUnit(pt.Y) {
		badArg(w, c, "ter:InvalidPosition", "position x and y must be within -1 and 1")
		return
	}
	to := s.motor.Position()
	lim := s.motor.Limits()
	if pt.X != nil {
		to.X = fromGeneric(*pt.X, lim.X)
	}
	if pt.Y != nil {
		to.Y = fromGeneric(*pt.Y, lim.Y)
	}
	if !s.startMoveTo(w, c, "absolute", to) {
		return
	}
	respond(w, c, empty("AbsoluteMove"))
}

func (s *Service) startMoveTo(w http.ResponseWriter, c *soap.Call, what string, to hal.Position) bool {
	return s.startMove(w, c, 0, what, func(ctx context.Context) error {
		_, err := s.motor.MoveTo(ctx, to)
		return err
	})
}

// fromGeneric maps v in −1..1 onto 0..limit.
func fromGeneric(v float64, limit int) int {
	return int(math.Round((v + 1) / 2 * float64(limit)))
}

// toGeneric maps p in 0..limit onto −1..1.
func toGeneric(p, limit int) float64 {
	if limit <= 0 {
		return 0
	}
	return 2*float64(p)/float64(limit) - 1
}

// stop ends any move when PanTilt is true or absent (Zoom alone: there is
// no zoom, nothing to stop).
func (s *Service) stop(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
		PanTilt      *bool  `xml:"PanTilt"`
		Zoom         *bool  `xml:"Zoom"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	if req.PanTilt == nil || *req.PanTilt {
		s.halt()
	}
	respond(w, c, empty("Stop"))
}

type moveStatus struct {
	PanTilt string `xml:"tt:PanTilt"`
}

type ptzStatus struct {
	Position struct {
		PanTilt Vector2D `xml:"tt:PanTilt"`
	} `xml:"tt:Position"`
	MoveStatus moveStatus `xml:"tt:MoveStatus"`
	UtcTime    string     `xml:"tt:UtcTime"`
}

type getStatusResponse struct {
	XMLName xml.Name  `xml:"tptz:GetStatusResponse"`
	Status  ptzStatus `xml:"tptz:PTZStatus"`
}

// getStatus reports the position in the generic space (motor frame) and
// whether a move started here is running.
func (s *Service) getStatus(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	var resp getStatusResponse
	// Read the state before the position: a move that ends in between is
	// reported MOVING at its final position, never IDLE short of it.
	resp.Status.MoveStatus.PanTilt = "IDLE"
	if s.moving() {
		resp.Status.MoveStatus.PanTilt = "MOVING"
	}
	p, lim := s.motor.Position(), s.motor.Limits()
	resp.Status.Position.PanTilt = Vector2D{X: toGeneric(p.X, lim.X), Y: toGeneric(p.Y, lim.Y), Space: SpacePositionGeneric}
	resp.Status.UtcTime = s.now().UTC().Format("2006-01-02T15:04:05Z")
	respond(w, c, &resp)
}
