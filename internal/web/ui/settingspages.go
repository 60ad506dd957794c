package ui

import (
	"fmt"
	"github.com/freecam/freecam/internal/deliver"
	"net/http"
	"strconv"

	"github.com/freecam/freecam/internal/web/settings"
)

// settingsPages are the pages that are a form of settings.Page (the System page has one too).
func settingsPages() []string { return []string{"camera", "motion", "notifications", "storage"} }

type optionView struct {
	Value, Label string
	Selected     bool
}

type fieldView struct {
	settings.Field
	Name, ID, Value string
	Checked         bool // a bool that is on
	IsSet           bool // a secret that has a value
	Err             string
	Step            string
	MinAttr         string
	MaxAttr         string
	Choices         []optionView
	ClearName       string
}

type sectionView struct {
	Title, Later, Marker string
	Fields               []fieldView
}

type settingsData struct {
	Action   string // where the form posts
	CSRF     string
	Sections []sectionView
	// ROI editor: the stream's picture size (region_of_interest's coordinate space).
	Width, Height int
	// Deliveries are the upload and alert queues (shown on the Storage and Notifications pages).
	Deliveries []deliver.Status
}

func pageTitle(name string) string {
	switch name {
	case "camera":
		return "Camera"
	case "motion":
		return "Motion"
	case "notifications":
		return "Notifications"
	case "storage":
		return "Storage"
	}
	return "System"
}

// settingsView builds the form: vals are the values to show (the files', or the refused
// submission's), errs the messages next to fields.
func (u *UI) settingsView(name string, secs []settings.Section, vals map[string]string, errs settings.FieldErrors) settingsData {
	set := settings.SetMap(u.cam.ConfigDir(), secs)
	st := u.cam.Status()
	d := settingsData{Action: "/" + name, Width: st.Width, Height: st.Height}
	if name == "storage" || name == "notifications" {
		d.Deliveries = u.cam.Deliveries()
	}
	if d.Width <= 0 || d.Height <= 0 {
		d.Width, d.Height = 1280, 720
	}
	for _, s := range secs {
		sv := sectionView{Title: s.Title, Later: s.Later, Marker: settings.SectionMarker(s)}
		for _, f := range s.Fields {
			fv := fieldView{Field: f, Name: f.Name(), ID: f.ID(), Err: errs[f.Name()], ClearName: f.ClearName()}
			v := vals[f.Name()]
			switch f.Kind {
			case settings.KindSecret:
				fv.IsSet = set[f.Name()]
			case settings.KindBool:
				fv.Checked = f.On(v)
				fv.Value = f.OnWord()
			case settings.KindSelect:
				fv.Value = v
				known := false
				for _, o := range f.Options {
					fv.Choices = append(fv.Choices, optionView{o.Value, o.Label, o.Value == v})
					known = known || o.Value == v
				}
				// A value the file holds but no option matches (edited by hand) is shown as it
				// is and selected: the browser would otherwise submit the first option, and a
				// save of anything else on the page would silently change it.
				if !known && v != "" {
					fv.Choices = append([]optionView{{v, v + " (not a valid choice)", true}}, fv.Choices...)
					if fv.Err == "" {
						fv.Err = fmt.Sprintf("%q is not one of the choices; pick one", v)
					}
				}
			case settings.KindNumber, settings.KindDecimal:
				fv.Value = v
				fv.Step = "1"
				if f.Kind == settings.KindDecimal {
					fv.Step = "any"
				}
				if f.Min < f.Max {
					fv.MinAttr = strconv.FormatFloat(f.Min, 'f', -1, 64)
					fv.MaxAttr = strconv.FormatFloat(f.Max, 'f', -1, 64)
				}
			default:
				fv.Value = v
			}
			sv.Fields = append(sv.Fields, fv)
		}
		d.Sections = append(d.Sections, sv)
	}
	return d
}

func (u *UI) settingsGet(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secs := settings.Page(name)
		v := u.newView(r, pageTitle(name))
		v.Flash = flashFor(r)
		if name == "motion" {
			v.Scripts = []string{"roi.js"}
		}
		d := u.settingsView(name, secs, settings.Values(u.cam.ConfigDir(), secs), nil)
		d.CSRF = v.CSRF
		v.Data = d
		u.render(w, http.StatusOK, "settings", v)
	}
}

// settingsPost saves a settings form; a refused value re-renders the form with what was
// submitted and the reasons (422), and nothing is written.
func (u *UI) settingsPost(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		form := make(map[string]string, len(r.PostForm))
		for k, vs := range r.PostForm {
			if len(vs) > 0 {
				form[k] = vs[len(vs)-1]
			}
		}
		secs := settings.Page(name)
		dir := u.cam.ConfigDir()
		errs, err := settings.Save(dir, secs, form)
		if err == nil && len(errs) == 0 {
			if err := u.cam.Reload(); err != nil {
				u.settingsError(w, r, name, secs, settings.Values(dir, secs), nil, http.StatusOK,
					fmt.Sprintf("Saved, but the camera did not apply it: %v", err))
				return
			}
			back(w, r, "/"+name, "saved")
			return
		}
		if err != nil {
			u.log.Error("save settings", "page", name, "err", err)
			u.settingsError(w, r, name, secs, submitted(dir, secs, form), nil, http.StatusInternalServerError,
				"Nothing was saved: "+err.Error())
			return
		}
		msg := "Nothing was saved: fix the marked fields."
		if top := errs[""]; top != "" {
			msg = "Nothing was saved: " + top
		}
		u.settingsError(w, r, name, secs, submitted(dir, secs, form), errs, http.StatusUnprocessableEntity, msg)
	}
}

func (u *UI) settingsError(w http.ResponseWriter, r *http.Request, name string, secs []settings.Section,
	vals map[string]string, errs settings.FieldErrors, status int, msg string) {
	if name == "system" {
		u.renderSystem(w, r, status, msg, u.settingsView(name, secs, vals, errs))
		return
	}
	v := u.newView(r, pageTitle(name))
	v.Error = msg
	if name == "motion" {
		v.Scripts = []string{"roi.js"}
	}
	d := u.settingsView(name, secs, vals, errs)
	d.CSRF = v.CSRF
	v.Data = d
	u.render(w, status, "settings", v)
}

// submitted is what a refused form showed: the files' values overlaid with the submission
// (unchecked boxes of submitted sections off; secrets never echoed).
func submitted(dir string, secs []settings.Section, form map[string]string) map[string]string {
	vals := settings.Values(dir, secs)
	for _, s := range secs {
		_, sent := form[settings.SectionMarker(s)]
		for _, f := range s.Fields {
			if f.IsSecret() {
				continue
			}
			v, ok := form[f.Name()]
			switch {
			case ok:
				vals[f.Name()] = v
			case f.Kind == settings.KindBool && sent:
				vals[f.Name()] = f.OffWord()
			}
		}
	}
	return vals
}
