package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
)

// typedFiles are the files conf.Load reads.
func typedFiles() []string {
	return []string{conf.RTSPServerFile, conf.OSDFile, conf.FreecamFile, conf.AutoNightFile,
		conf.RecordingFile, conf.TimelapseFile, conf.HALFile, conf.ONVIFFile, conf.MotionFile,
		conf.MQTTFile, conf.MailFile, conf.TelegramFile, conf.MatrixFile}
}

// use is what freecam does with a key of a typed file.
type use int

const (
	used    use = iota // freecam reads the value
	unused             // a firmware key freecam knows and leaves alone
	unknown            // a key conf does not know
)

// probeValue is a value freecam never takes: a command substitution.
const probeValue = "$(freecam-import-probe)"

// scratch is a temporary directory for loads of single files.
type scratch struct {
	dir string // the scratch directory
	dst string // freecam's config directory imported into (read only here)
}

// loadOne loads a directory holding only name with data.
func (s *scratch) loadOne(name string, data []byte) (*conf.Config, []conf.Warning, error) {
	dir, err := os.MkdirTemp(s.dir, "probe-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		return nil, nil, err
	}
	return conf.Load(dir)
}

// probe asks conf what it does with key in file name: the key is set to a command
// substitution after the file's own lines. conf reports a dynamic value as an error only for
// keys it reads, and warns about keys it does not know.
func (s *scratch) probe(name string, src *shellconf.Doc, key string) (use, error) {
	data := append(src.Bytes(), "\n\n"+key+"="+probeValue+"\n"...)
	_, warns, err := s.loadOne(name, data)
	var errs conf.Errors
	if err != nil && !errors.As(err, &errs) {
		return 0, err
	}
	for _, is := range errs {
		if is.File == name && is.Key == key && strings.Contains(is.Message, "command substitution") {
			return used, nil
		}
	}
	for _, w := range warns {
		if w.File == name && w.Key == key && strings.HasPrefix(w.Message, "unknown key") {
			return unknown, nil
		}
	}
	return unused, nil
}

// base returns the file an applied key is written into: dst's name when it is there, else
// freecam's built-in default (as conf.Apply starts from it).
func (s *scratch) base(name string) (*shellconf.Doc, error) {
	data, err := readCapped(filepath.Join(s.dst, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data, _ = conf.Dist(name)
	case err != nil:
		return nil, fmt.Errorf("read the current %s: %w", name, err)
	}
	d, err := shellconf.Parse(name, data)
	if err != nil {
		// An unreadable current file: compare with nothing, so every key is applied (and
		// conf.Apply says what is wrong with the file).
		d, _ = shellconf.Parse(name, nil)
	}
	return d, nil
}

// sameText reports whether d holds key with exactly the literal value v.
func sameText(d *shellconf.Doc, key, v string) bool {
	if d == nil {
		return false
	}
	e, ok := d.Lookup(key)
	return ok && e.Kind == shellconf.Assignment && !e.Value.Dynamic && e.Value.Text == v
}

// effective is the configuration of name built from base with edits, leaving out skip ("" for
// none); nil when it does not build or load (the import refuses it later, with conf's message).
func (s *scratch) effective(name string, base *shellconf.Doc, edits map[string]string, skip string) *conf.Config {
	d, err := shellconf.Parse(name, base.Bytes())
	if err != nil {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(edits)) {
		if k == skip {
			continue
		}
		if err := d.Set(k, edits[k]); err != nil {
			return nil
		}
	}
	c, _, err := s.loadOne(name, d.Bytes())
	if err != nil {
		return nil
	}
	return c
}

// candidate is a key to be applied.
type candidate struct {
	entry Entry
	value string
}

// notUsed are keys conf reads (and checks) but freecam does nothing with, per file, with why.
func notUsed() map[string]map[string]string {
	return map[string]map[string]string{
		conf.OSDFile: {
			"DISPLAY_AXIS": "freecam's on-screen display does not show the motors' position",
			"FONTNAME":     "freecam's on-screen display draws its built-in font only",
		},
	}
}

// Reasons of ignored keys.
const (
	reasonUnused  = "freecam does not use this key"
	reasonDefault = "same as freecam's default"
)

// typedKeys classifies every key of a typed file. Applied keys are returned as candidates
// (still to be checked against the whole configuration); the others go into rep.
//
// A key is left out as "same as freecam's default" (or "already so") only when the file it
// would be written into (dst's, or freecam's default) already holds exactly that value, or
// when that file, built with every other applied key of the source, gives the same
// configuration with and without it. A key whose effect depends on another key (USERPASSWORD
// on USERNAME) is so never lost: it is compared with that other key set.
func (s *scratch) typedKeys(name string, doc, dist *shellconf.Doc, rep *Report) ([]candidate, error) {
	base, err := s.base(name)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defData, _ := conf.Dist(name)
	def, _ := shellconf.Parse(name, defData)
	var pending []candidate
	for _, key := range doc.Keys() {
		e, _ := doc.Lookup(key)
		ent := Entry{File: name, Line: e.Line, Key: key}
		u, err := s.probe(name, doc, key)
		if err != nil {
			return nil, fmt.Errorf("import: check %s: %w", name, err)
		}
		if why, ok := notUsed()[name][key]; ok && u == used {
			ent.Reason = reasonUnused + " (" + why + ")"
			rep.ignore(ent)
			continue
		}
		switch u {
		case unknown:
			ent.Reason = "not a key freecam knows"
			rep.ignore(ent)
			continue
		case unused:
			ent.Reason = reasonUnused + " (a firmware key freecam knows and leaves alone)"
			rep.ignore(ent)
			continue
		}
		if dist != nil {
			if de, ok := dist.Lookup(key); ok && de.Value.Raw == e.Value.Raw {
				ent.Reason = "unchanged from the firmware's default (" + name + ".dist); freecam's own default applies"
				rep.ignore(ent)
				continue
			}
		}
		if e.Value.Dynamic {
			_, _, _, err := doc.Static(key)
			ent.Reason = issueMessage(err)
			rep.refuse(ent)
			continue
		}
		switch {
		case sameText(def, key, e.Value.Text) && sameText(base, key, e.Value.Text):
			ent.Reason = reasonDefault
			rep.ignore(ent)
			continue
		case sameText(base, key, e.Value.Text):
			ent.Reason = "already so in freecam's " + name
			rep.ignore(ent)
			continue
		}
		ent.Reason = "taken into " + name
		pending = append(pending, candidate{entry: ent, value: e.Value.Text})
	}
	edits := map[string]string{}
	for _, c := range pending {
		edits[c.entry.Key] = c.value
	}
	// A key is left out when the whole file gives the same configuration without it, so that a
	// key whose effect depends on another one (a password that only counts with a user name) is
	// judged with that one set. Keys go one at a time, so what is left still gives the full
	// configuration, which is therefore built once.
	full := s.effective(name, base, edits, "")
	var out []candidate
	for _, c := range pending {
		if full == nil {
			out = append(out, c)
			continue
		}
		if without := s.effective(name, base, edits, c.entry.Key); without == nil || !sameConfig(full, without) {
			out = append(out, c)
			continue
		}
		delete(edits, c.entry.Key)
		c.entry.Reason = reasonDefault + " (the same setting written differently)"
		if !bytes.Equal(base.Bytes(), def.Bytes()) {
			c.entry.Reason = "already so in freecam's " + name + " (the same setting written differently)"
		}
		rep.ignore(c.entry)
	}
	return out, nil
}

// issueMessage is err's message without the file:line: key prefix of a shellconf.Issue (the
// report's entry says where).
func issueMessage(err error) string {
	var is shellconf.Issue
	if errors.As(err, &is) {
		return is.Message
	}
	return err.Error()
}

// sameConfig compares two effective configurations, leaving out the parsed documents.
func sameConfig(a, b *conf.Config) bool {
	x, y := *a, *b
	x.Docs, y.Docs = nil, nil
	return reflect.DeepEqual(x, y)
}
