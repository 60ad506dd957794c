package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// Edits are changes to config files: file name → key → new value.
type Edits map[string]map[string]string

// Apply checks edits against the whole configuration and, only if the result loads without
// errors, writes every edited file atomically with each value shell-quoted. A file that does not
// exist yet starts from its built-in default. On a refused edit nothing is written and the error
// is Errors, each Issue naming the file and key (the UI shows it next to the field). Keys this
// version does not know are written too (the firmware's files carry keys for later features);
// they come back as warnings.
func Apply(dir string, edits Edits) ([]Warning, error) {
	docs := make(map[string]*shellconf.Doc, len(edits))
	var errs Errors
	names := make([]string, 0, len(edits))
	for name := range edits {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name != filepath.Base(name) || filepath.Ext(name) != ".conf" {
			return nil, fmt.Errorf("config file %q: not a config file name", name)
		}
		d, err := shellconf.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			src, _ := Dist(name)
			d, err = shellconf.Parse(name, src)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: cannot edit a file that does not read: %w", name, err)
		}
		keys := make([]string, 0, len(edits[name]))
		for k := range edits[name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := d.Set(k, edits[name][k]); err != nil {
				errs = append(errs, Issue{File: name, Key: k, Message: err.Error()})
			}
		}
		docs[name] = d
	}
	if len(errs) > 0 {
		return nil, errs
	}
	// An edit of update.conf is refused like any other when it does not load; an update.conf
	// already broken on disk does not block edits of the other files (Load only warns).
	_, warns, err := load(dir, docs, docs[UpdateFile] != nil)
	if err != nil {
		return warns, err
	}
	for _, name := range names {
		if err := docs[name].WriteFile(filepath.Join(dir, name)); err != nil {
			return warns, fmt.Errorf("write %s: %w", name, err)
		}
	}
	return warns, nil
}
