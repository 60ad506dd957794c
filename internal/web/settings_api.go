package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/freecam/freecam/internal/web/settings"
)

// fieldJSON is one setting as the API shows it: a secret has no value, only whether it is set.
type fieldJSON struct {
	settings.Field
	Name  string  `json:"name"`
	Value *string `json:"value,omitempty"`
	Set   *bool   `json:"set,omitempty"`
}

type sectionJSON struct {
	Title  string      `json:"title"`
	Later  string      `json:"later,omitempty"`
	Fields []fieldJSON `json:"fields"`
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) (string, []settings.Section, bool) {
	name := r.PathValue("page")
	sections := settings.Page(name)
	if sections == nil {
		apiError(w, http.StatusNotFound, fmt.Errorf("no settings page %q (camera, motion, notifications, storage or system)", name))
		return "", nil, false
	}
	return name, sections, true
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request) {
	name, sections, ok := s.settingsPage(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.settingsJSON(name, sections))
}

func (s *Server) settingsJSON(name string, sections []settings.Section) map[string]any {
	dir := s.opts.Camera.ConfigDir()
	values := settings.Values(dir, sections)
	set := settings.SetMap(dir, sections)
	out := make([]sectionJSON, len(sections))
	for i, sec := range sections {
		out[i] = sectionJSON{Title: sec.Title, Later: sec.Later, Fields: make([]fieldJSON, len(sec.Fields))}
		for j, f := range sec.Fields {
			fj := fieldJSON{Field: f, Name: f.Name()}
			if f.IsSecret() {
				isSet := set[f.Name()]
				fj.Set = &isSet
			} else {
				v := values[f.Name()]
				fj.Value = &v
			}
			out[i].Fields[j] = fj
		}
	}
	return map[string]any{"page": name, "sections": out}
}

// apiSaveSettings takes {"file/key": value, …}. A field that is absent is unchanged (unlike a
// page's form, where an unchecked box is absent); a secret set to "" is unchanged and
// "file/key#clear": true empties it. Values may be strings, numbers or booleans.
func (s *Server) apiSaveSettings(w http.ResponseWriter, r *http.Request) {
	name, sections, ok := s.settingsPage(w, r)
	if !ok {
		return
	}
	var body map[string]json.RawMessage
	if !readJSON(w, r, &body) {
		return
	}
	known := map[string]settings.Field{}
	for _, sec := range sections {
		for _, f := range sec.Fields {
			known[f.Name()] = f
			known[f.ClearName()] = f
		}
	}
	form := map[string]string{}
	for k, raw := range body {
		f, ok := known[k]
		if !ok {
			apiError(w, http.StatusBadRequest, fmt.Errorf("%q is not a setting of the %s page", k, name))
			return
		}
		v, err := jsonScalar(raw, f)
		if err != nil {
			apiError(w, http.StatusBadRequest, fmt.Errorf("%s: %w", k, err))
			return
		}
		if k == f.ClearName() {
			if v != f.OnWord() {
				continue
			}
			v = ""
		}
		form[k] = v
	}
	// Bools absent from the body keep their current value.
	values := settings.Values(s.opts.Camera.ConfigDir(), sections)
	for _, sec := range sections {
		for _, f := range sec.Fields {
			if _, ok := form[f.Name()]; !ok && f.Kind == settings.KindBool {
				form[f.Name()] = values[f.Name()]
			}
		}
	}
	fields, err := settings.Save(s.opts.Camera.ConfigDir(), sections, form)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	if len(fields) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "refused; nothing was written", "fields": fields})
		return
	}
	resp := s.settingsJSON(name, sections)
	if err := s.opts.Camera.Reload(); err != nil {
		resp["reload_error"] = err.Error()
	}
	writeJSON(w, http.StatusOK, resp)
}

// jsonScalar turns a JSON string, number or boolean into the form value Save expects.
func jsonScalar(raw json.RawMessage, f settings.Field) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		if x {
			return f.OnWord(), nil
		}
		return f.OffWord(), nil
	}
	return "", fmt.Errorf("want a string, number or boolean")
}
