// Package settings describes every setting the web pages and the JSON API may edit — which file
// and key, how it is shown, what it accepts — and reads and saves them through conf.Apply, so a
// value is validated against the whole configuration and written atomically and shell-quoted, or
// not at all.
//
// It never returns a secret's value: Values gives "" for secrets and Set tells whether one is set.
// It keeps no state; every call reads the files again.
package settings

import (
	"strconv"
	"strings"
)

// Kind is how a setting is edited.
type Kind string

// The kinds.
const (
	// KindText is free text.
	KindText Kind = "text"
	// KindNumber is a whole number; KindDecimal any number. Empty means the default. Min and Max
	// bound it when Min < Max.
	KindNumber  Kind = "number"
	KindDecimal Kind = "decimal"
	// KindBool is an on/off switch. Options[0].Value is how the file spells on and
	// Options[1].Value how it spells off (the firmware's spelling: on/off, true/false, ON/OFF, 1/0).
	KindBool Kind = "bool"
	// KindSelect is one of Options.
	KindSelect Kind = "select"
	// KindSecret is a password or token: never read back, empty on submit means unchanged.
	KindSecret Kind = "secret"
	// KindRegions is a list of rectangles x0,y0,x1,y1[,…] in stream pixels (motion.conf).
	KindRegions Kind = "regions"
)

// Option is one choice of a select (or one spelling of a bool).
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Field is one editable setting. Its form name is Name(): "file/key".
type Field struct {
	File  string `json:"file"`
	Key   string `json:"key"`
	Label string `json:"label"`
	Help  string `json:"help,omitempty"`
	Kind  Kind   `json:"kind"`
	// Options are a select's choices, or a bool's spellings (on first, off second).
	Options []Option `json:"options,omitempty"`
	// Secret is true for passwords and tokens (always with KindSecret).
	Secret bool `json:"secret,omitempty"`
	// Min and Max bound a number when Min < Max.
	Min float64 `json:"min,omitempty"`
	Max float64 `json:"max,omitempty"`
	// Later is non-empty for a setting that is saved now but acted on by a later release; it
	// names the feature ("MQTT", "motion actions").
	Later string `json:"later,omitempty"`
}

// Section is a titled group of fields, one fieldset of a page.
type Section struct {
	Title  string  `json:"title"`
	Fields []Field `json:"fields"`
	// Later is non-empty when every field of the section is acted on by a later release.
	Later string `json:"later,omitempty"`
}

// Name is the field's form name and map key: "file/key".
func (f Field) Name() string { return f.File + "/" + f.Key }

// ID is a stable HTML id for the field's input: "f-file-key".
func (f Field) ID() string { return "f-" + f.File + "-" + f.Key }

// IsSecret reports whether the field's value must never be shown.
func (f Field) IsSecret() bool { return f.Secret || f.Kind == KindSecret }

// OnWord and OffWord are how the file spells a bool field's two states.
func (f Field) OnWord() string {
	if len(f.Options) == 2 {
		return f.Options[0].Value
	}
	return "true"
}

// OffWord: see OnWord.
func (f Field) OffWord() string {
	if len(f.Options) == 2 {
		return f.Options[1].Value
	}
	return "false"
}

// On reports whether v (a value of a bool field as read from a file or submitted by a form)
// means on. Anything the firmware's scripts read as on counts: true, on, yes, 1, any case, and the
// field's own on word.
func (f Field) On(v string) bool {
	v = strings.TrimSpace(v)
	if v == f.OnWord() {
		return true
	}
	b, ok := parseBool(v)
	return ok && b
}

// ClearName is the form name that asks for a secret to be emptied: "file/key#clear".
func (f Field) ClearName() string { return f.Name() + "#clear" }

// SectionMarker is the form name that says a section was submitted (the pages send it as a
// hidden field), so an absent checkbox of that section means off.
func SectionMarker(s Section) string { return "#section/" + s.Title }

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0", "":
		return false, true
	}
	return false, false
}

// format prints a bound without a useless ".0".
func format(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
