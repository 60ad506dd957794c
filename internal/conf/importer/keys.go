package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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
	dir      string
	defaults map[string]*conf.Config // freecam's effective defaults per file
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

// isDefault reports whether key=value in name gives the same effective configuration as
// freecam's built-in default of name.
func (s *scratch) isDefault(name, key, value string) (bool, error) {
	def, ok := s.defaults[name]
	if !ok {
		src, _ := conf.Dist(name)
		cfg, _, err := s.loadOne(name, src)
		if err != nil {
			return false, fmt.Errorf("freecam's own default %s does not load: %w", name, err)
		}
		s.defaults[name] = cfg
		def = cfg
	}
	src, _ := conf.Dist(name)
	d, err := shellconf.Parse(name, src)
	if err != nil {
		return false, err
	}
	if err := d.Set(key, value); err != nil {
		return false, nil // refused later, with conf's message
	}
	cfg, _, err := s.loadOne(name, d.Bytes())
	if err != nil {
		return false, nil
	}
	return sameConfig(def, cfg), nil
}

// sameConfig compares two effective configurations, leaving out the parsed documents.
func sameConfig(a, b *conf.Config) bool {
	x, y := *a, *b
	x.Docs, y.Docs = nil, nil
	return reflect.DeepEqual(x, y)
}

// candidate is a key to be applied.
type candidate struct {
	entry Entry
	value string
}

// typedKeys classifies every key of a typed file. Applied keys are returned as candidates
// (still to be checked against the whole configuration); the others go into rep.
func (s *scratch) typedKeys(name string, doc, dist *shellconf.Doc, rep *Report) ([]candidate, error) {
	var out []candidate
	for _, key := range doc.Keys() {
		e, _ := doc.Lookup(key)
		ent := Entry{File: name, Line: e.Line, Key: key}
		u, err := s.probe(name, doc, key)
		if err != nil {
			return nil, fmt.Errorf("import: check %s: %w", name, err)
		}
		switch u {
		case unknown:
			ent.Reason = "not a key freecam knows"
			rep.ignore(ent)
			continue
		case unused:
			ent.Reason = "a firmware key freecam does not use"
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
			ent.Reason = err.Error()
			rep.refuse(ent)
			continue
		}
		def, err := s.isDefault(name, key, e.Value.Text)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if def {
			ent.Reason = "same as freecam's default"
			rep.ignore(ent)
			continue
		}
		ent.Reason = "taken into " + name
		out = append(out, candidate{entry: ent, value: e.Value.Text})
	}
	return out, nil
}
