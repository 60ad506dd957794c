package settings

import (
	"path/filepath"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
)

// files reads config files once per call: the file in dir, or else its built-in default.
type files struct {
	dir  string
	docs map[string]*shellconf.Doc
	dist map[string]*shellconf.Doc
}

func newFiles(dir string) *files {
	return &files{dir: dir, docs: make(map[string]*shellconf.Doc), dist: make(map[string]*shellconf.Doc)}
}

// doc returns the parsed file, nil when it does not exist or does not parse.
func (fs *files) doc(name string) *shellconf.Doc {
	if d, ok := fs.docs[name]; ok {
		return d
	}
	d, err := shellconf.ReadFile(filepath.Join(fs.dir, name))
	if err != nil {
		d = nil
	}
	fs.docs[name] = d
	return d
}

func (fs *files) distDoc(name string) *shellconf.Doc {
	if d, ok := fs.dist[name]; ok {
		return d
	}
	var d *shellconf.Doc
	if src, ok := fileDefault(name); ok {
		d, _ = shellconf.Parse(name+".dist", src)
	}
	fs.dist[name] = d
	return d
}

// raw returns what the file assigns to key (a dynamic value as written), or else the built-in
// default; found is false when neither sets the key.
func (fs *files) raw(file, key string) (value string, found bool) {
	for _, d := range []*shellconf.Doc{fs.doc(file), fs.distDoc(file)} {
		if d == nil {
			continue
		}
		if e, ok := d.Lookup(key); ok {
			if e.Value.Dynamic {
				return e.Value.Raw, true
			}
			return e.Value.Text, true
		}
	}
	return "", false
}

// value is a field's current value; secrets read as "".
func (fs *files) value(f Field) string {
	if f.IsSecret() {
		return ""
	}
	switch f.Key {
	case WidthKey, HeightKey:
		if f.File == conf.RTSPServerFile {
			opts, _ := fs.raw(f.File, "RTSPOPTS")
			w, h := sizeOrDefault(opts)
			if f.Key == WidthKey {
				return w
			}
			return h
		}
	}
	v, _ := fs.raw(f.File, f.Key)
	return v
}

// Values returns the current value of every field of sections, keyed by Field.Name ("file/key"):
// the value in the file in dir, or else the built-in default, or else "". A secret is always "";
// use Set to tell whether it has a value.
func Values(dir string, sections []Section) map[string]string {
	fs := newFiles(dir)
	vals := make(map[string]string)
	for _, s := range sections {
		for _, f := range s.Fields {
			vals[f.Name()] = fs.value(f)
		}
	}
	return vals
}

// Set reports whether the secret (or any) field f has a non-empty value in the files in dir
// (or in the built-in default), without returning it.
func Set(dir string, f Field) bool {
	v, _ := newFiles(dir).raw(f.File, f.Key)
	return v != ""
}

// SetMap is Set for every secret field of sections, keyed by Field.Name.
func SetMap(dir string, sections []Section) map[string]bool {
	fs := newFiles(dir)
	set := make(map[string]bool)
	for _, s := range sections {
		for _, f := range s.Fields {
			if f.IsSecret() {
				v, _ := fs.raw(f.File, f.Key)
				set[f.Name()] = v != ""
			}
		}
	}
	return set
}
