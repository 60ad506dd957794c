package settings

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/conf"
)

// FieldErrors maps a Field.Name ("file/key") to why its submitted value was refused. The key ""
// holds problems that belong to no field of the submitted sections.
type FieldErrors map[string]string

// Error lists the problems, sorted by field.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("\n")
		}
		if k != "" {
			b.WriteString(k + ": ")
		}
		b.WriteString(fe[k])
	}
	return b.String()
}

func (fe FieldErrors) add(name, msg string) {
	if old, ok := fe[name]; ok {
		msg = old + "; " + msg
	}
	fe[name] = msg
}

// Save writes the submitted values of the fields of sections to the files in dir. form is keyed
// by Field.Name ("file/key"); keys of no field are ignored, so a form can never write a key that
// is not a setting.
//
//   - A field that is absent is left as it is, except a bool of a submitted section (one with any
//     of its fields or its SectionMarker in form), which is off when absent, as an unchecked
//     checkbox is.
//   - A secret left empty keeps its value; "file/key#clear" (ClearName) empties it.
//   - Numbers and selects are checked first, then the whole configuration with the changes by
//     conf.Apply. Only values that differ from the current ones are written, so the rest of each
//     file keeps its spelling.
//
// A refused value comes back in FieldErrors (nothing is written then); error is for a failure to
// read or write files. Both nil means saved (or nothing to change).
func Save(dir string, sections []Section, form map[string]string) (FieldErrors, error) {
	fs := newFiles(dir)
	fe := FieldErrors{}
	edits := conf.Edits{}
	set := func(file, key, v string) {
		if edits[file] == nil {
			edits[file] = map[string]string{}
		}
		edits[file][key] = v
	}
	var size struct {
		changed bool
		w, h    string
	}
	size.w, size.h = sizeOrDefault(mustRaw(fs, conf.RTSPServerFile, "RTSPOPTS"))

	for _, s := range sections {
		submitted := has(form, SectionMarker(s))
		for _, f := range s.Fields {
			submitted = submitted || has(form, f.Name()) || has(form, f.ClearName())
		}
		for _, f := range s.Fields {
			v, present := form[f.Name()]
			cur := fs.value(f)
			switch {
			case f.IsSecret():
				switch {
				case v != "":
					set(f.File, f.Key, v)
				case has(form, f.ClearName()):
					if Set(dir, f) {
						set(f.File, f.Key, "")
					}
				}
				continue
			case f.Kind == KindBool:
				if !present && !submitted {
					continue
				}
				on, ok := boolValue(f, v)
				if !ok {
					fe.add(f.Name(), fmt.Sprintf("must be %s or %s (got %q)", f.OnWord(), f.OffWord(), v))
					continue
				}
				if _, found := fs.raw(f.File, f.Key); found && f.On(cur) == on || !found && !on {
					continue // unchanged (an absent key is off)
				}
				if on {
					set(f.File, f.Key, f.OnWord())
				} else {
					set(f.File, f.Key, f.OffWord())
				}
				continue
			}
			if !present {
				continue
			}
			if f.Kind != KindText {
				v = strings.TrimSpace(v)
			}
			if msg := check(f, v); msg != "" {
				fe.add(f.Name(), msg)
				continue
			}
			if v == cur {
				continue
			}
			if f.File == conf.RTSPServerFile && (f.Key == WidthKey || f.Key == HeightKey) {
				size.changed = true
				if f.Key == WidthKey {
					size.w = v
				} else {
					size.h = v
				}
				continue
			}
			set(f.File, f.Key, v)
		}
	}
	if size.changed {
		set(conf.RTSPServerFile, "RTSPOPTS", withPictureSize(mustRaw(fs, conf.RTSPServerFile, "RTSPOPTS"), size.w, size.h))
	}
	if len(fe) > 0 {
		return fe, nil
	}
	if len(edits) == 0 {
		return nil, nil
	}
	if fe, err := checkOwnFiles(dir, edits); err != nil || len(fe) > 0 {
		return fe, err
	}
	_, err := conf.Apply(dir, edits)
	var issues conf.Errors
	if errors.As(err, &issues) {
		return issueErrors(sections, issues), nil
	}
	if err != nil {
		return nil, fmt.Errorf("settings: save: %w", err)
	}
	return nil, nil
}

func has(form map[string]string, name string) bool {
	_, ok := form[name]
	return ok
}

func mustRaw(fs *files, file, key string) string {
	v, _ := fs.raw(file, key)
	return v
}

// boolValue reads a submitted bool: a checkbox sends its value (the on word) or nothing; the API
// may send true/false, on/off, 1/0 or the file's words.
func boolValue(f Field, v string) (on, ok bool) {
	switch strings.TrimSpace(v) {
	case f.OnWord():
		return true, true
	case f.OffWord():
		return false, true
	}
	return parseBool(v)
}

// check validates a number or select before the configuration is; "" when fine.
func check(f Field, v string) string {
	switch f.Kind {
	case KindNumber, KindDecimal:
		if v == "" {
			return "" // the default
		}
		n, err := strconv.ParseFloat(v, 64)
		whole := f.Kind == KindNumber
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || whole && n != math.Trunc(n) {
			what := "a number"
			if whole {
				what = "a whole number"
			}
			if f.Min < f.Max {
				return fmt.Sprintf("must be %s from %s to %s (got %q)", what, format(f.Min), format(f.Max), v)
			}
			return fmt.Sprintf("must be %s (got %q)", what, v)
		}
		if f.Min < f.Max && (n < f.Min || n > f.Max) {
			return fmt.Sprintf("must be from %s to %s (got %q)", format(f.Min), format(f.Max), v)
		}
	case KindSelect:
		for _, o := range f.Options {
			if o.Value == v {
				return ""
			}
		}
		vals := make([]string, len(f.Options))
		for i, o := range f.Options {
			vals[i] = o.Value
		}
		return fmt.Sprintf("must be one of %s (got %q)", strings.Join(vals, ", "), v)
	}
	return ""
}

// issueErrors files each issue of a refused configuration under the field it names.
func issueErrors(sections []Section, issues conf.Errors) FieldErrors {
	byKey := make(map[string]Field)
	for _, s := range sections {
		for _, f := range s.Fields {
			byKey[f.File+"\x00"+f.Key] = f
		}
	}
	fe := FieldErrors{}
	for _, is := range issues {
		key := is.Key
		if is.File == conf.RTSPServerFile && key == "RTSPOPTS" {
			switch {
			case strings.Contains(is.Message, "-W"):
				key = WidthKey
			case strings.Contains(is.Message, "-H"):
				key = HeightKey
			}
		}
		if f, ok := byKey[is.File+"\x00"+key]; ok && key != "" {
			fe.add(f.Name(), is.Message)
			continue
		}
		fe.add("", is.String())
	}
	return fe
}
