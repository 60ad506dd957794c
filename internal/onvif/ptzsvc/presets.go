package ptzsvc

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/onvif/soap"
)

// HomePreset is the preset GotoHomePosition goes to and SetHomePosition
// saves.
const HomePreset = "home"

// Presets are named positions in ptz_presets.conf; a preset's ONVIF token
// is its name.

type preset struct {
	Token    string `xml:"token,attr"`
	Name     string `xml:"tt:Name"`
	Position struct {
		PanTilt Vector2D `xml:"tt:PanTilt"`
	} `xml:"tt:PTZPosition"`
}

func (s *Service) getPresets(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	resp := struct {
		XMLName xml.Name `xml:"tptz:GetPresetsResponse"`
		Presets []preset `xml:"tptz:Preset"`
	}{}
	if s.presets != nil {
		lim := s.motor.Limits()
		for _, p := range s.presets.List() {
			var q preset
			q.Token, q.Name = p.Name, p.Name
			q.Position.PanTilt = Vector2D{X: toGeneric(p.X, lim.X), Y: toGeneric(p.Y, lim.Y), Space: SpacePositionGeneric}
			resp.Presets = append(resp.Presets, q)
		}
	}
	respond(w, c, &resp)
}

func (s *Service) gotoPreset(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
		PresetToken  string `xml:"PresetToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	var to hal.Position
	err := ptz.ErrNotFound
	if s.presets != nil {
		to, err = s.presets.Get(req.PresetToken)
	}
	if err != nil {
		badArg(w, c, "ter:NoToken", "no such preset: "+req.PresetToken)
		return
	}
	if !s.startMoveTo(w, c, "preset "+req.PresetToken, to) {
		return
	}
	respond(w, c, empty("GotoPreset"))
}

// setPreset stores the current position under PresetName (a new preset;
// an existing name faults PresetExist as the spec says) or PresetToken (an
// existing preset, renamed when PresetName differs), then saves the file.
func (s *Service) setPreset(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
		PresetName   string `xml:"PresetName"`
		PresetToken  string `xml:"PresetToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	if s.presets == nil {
		fault(w, c, soap.Receiver, "presets are not available on this camera", soap.SubAction, "ter:TooManyPresets")
		return
	}
	if s.moving() {
		fault(w, c, soap.Receiver, "cannot set a preset while the camera moves", soap.SubAction, "ter:MovingPTZ")
		return
	}
	s.presetMu.Lock()
	defer s.presetMu.Unlock()
	name, old := req.PresetName, req.PresetToken
	if old != "" {
		if _, err := s.presets.Get(old); err != nil {
			badArg(w, c, "ter:NoToken", "no such preset: "+old)
			return
		}
		if name == "" {
			name = old
		}
	}
	if name == "" {
		name = s.freeName()
	}
	if _, err := s.presets.Get(name); err == nil && name != old {
		badArg(w, c, "ter:PresetExist", "a preset named "+name+" exists")
		return
	}
	if old == "" && len(s.presets.List()) >= MaxPresets {
		fault(w, c, soap.Receiver, fmt.Sprintf("at most %d presets", MaxPresets), soap.SubAction, "ter:TooManyPresets")
		return
	}
	if err := s.savePreset(name, old, s.motor.Position()); err != nil {
		if errors.Is(err, errBadName) {
			badArg(w, c, "ter:InvalidPresetName", "invalid preset name: use "+ptz.NameRule)
			return
		}
		fault(w, c, soap.Receiver, err.Error(), soap.SubAction)
		return
	}
	respond(w, c, struct {
		XMLName xml.Name `xml:"tptz:SetPresetResponse"`
		Token   string   `xml:"tptz:PresetToken"`
	}{Token: name})
}

var errBadName = errors.New("invalid preset name")

// savePreset sets name to pos (removing old when renaming) and saves the
// file; on failure the presets in memory are as before. The caller holds
// s.presetMu.
func (s *Service) savePreset(name, old string, pos hal.Position) error {
	prev, prevErr := s.presets.Get(name)
	if err := s.presets.Set(name, pos); err != nil {
		return fmt.Errorf("%w: %w", errBadName, err)
	}
	oldPos, _ := s.presets.Get(old)
	renamed := old != "" && old != name
	if renamed {
		s.presets.Remove(old) //nolint:errcheck // checked to exist
	}
	if err := s.presets.Save(); err != nil {
		if prevErr == nil {
			s.presets.Set(name, prev) //nolint:errcheck // it was there
		} else {
			s.presets.Remove(name) //nolint:errcheck
		}
		if renamed {
			s.presets.Set(old, oldPos) //nolint:errcheck // it was there
		}
		s.log.Warn("ptz preset not saved", "preset", name, "err", err)
		return err
	}
	return nil
}

// freeName returns the first of preset_1, preset_2, … not in use.
func (s *Service) freeName() string {
	for i := 1; ; i++ {
		n := fmt.Sprintf("preset_%d", i)
		if _, err := s.presets.Get(n); err != nil {
			return n
		}
	}
}

func (s *Service) removePreset(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
		PresetToken  string `xml:"PresetToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	if s.presets == nil {
		badArg(w, c, "ter:NoToken", "no such preset: "+req.PresetToken)
		return
	}
	s.presetMu.Lock()
	defer s.presetMu.Unlock()
	pos, err := s.presets.Get(req.PresetToken)
	if err != nil {
		badArg(w, c, "ter:NoToken", "no such preset: "+req.PresetToken)
		return
	}
	s.presets.Remove(req.PresetToken) //nolint:errcheck // just got it
	if err := s.presets.Save(); err != nil {
		s.presets.Set(req.PresetToken, pos) //nolint:errcheck // it was there
		s.log.Warn("ptz preset removal not saved", "preset", req.PresetToken, "err", err)
		fault(w, c, soap.Receiver, err.Error(), soap.SubAction)
		return
	}
	respond(w, c, empty("RemovePreset"))
}

// gotoHomePosition goes to the preset "home", or the centre without one.
func (s *Service) gotoHomePosition(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	lim := s.motor.Limits()
	to := hal.Position{X: lim.X / 2, Y: lim.Y / 2}
	if s.presets != nil {
		if p, err := s.presets.Get(HomePreset); err == nil {
			to = p
		}
	}
	if !s.startMoveTo(w, c, "home", to) {
		return
	}
	respond(w, c, empty("GotoHomePosition"))
}

// setHomePosition saves the current position as the preset "home".
func (s *Service) setHomePosition(w http.ResponseWriter, _ *http.Request, c *soap.Call) {
	var req struct {
		ProfileToken string `xml:"ProfileToken"`
	}
	if !decode(w, c, &req) || !checkProfile(w, c, req.ProfileToken) {
		return
	}
	if s.presets == nil {
		fault(w, c, soap.Receiver, "presets are not available on this camera", soap.SubAction, "ter:CannotOverwriteHome")
		return
	}
	if s.moving() {
		fault(w, c, soap.Receiver, "cannot set the home position while the camera moves", soap.SubAction, "ter:MovingPTZ")
		return
	}
	s.presetMu.Lock()
	defer s.presetMu.Unlock()
	if err := s.savePreset(HomePreset, "", s.motor.Position()); err != nil {
		fault(w, c, soap.Receiver, err.Error(), soap.SubAction)
		return
	}
	respond(w, c, empty("SetHomePosition"))
}
