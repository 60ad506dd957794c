package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/backup"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/fsutil"
	"github.com/freecam/freecam/internal/system/swap"
)

// Options are Import's options. The zero value imports for real.
type Options struct {
	// DryRun makes the report without writing anything.
	DryRun bool
	// TempDir is where keys are probed and the merged result is checked. Default os.TempDir().
	TempDir string
}

// maxFileSize bounds each file read from the source.
const maxFileSize = 1 << 20

// Import reads the firmware config directory src and writes what freecam takes from it into
// freecam's config directory dst (created, mode 0700, if missing).
//
// Every key of every typed file (the ones conf.Load reads, and swap.conf) is applied, ignored
// or refused; the one-value and whole files freecam keeps (hostname.conf, timezone.conf,
// ntp_srv.conf, the network files, ptz_presets.conf) likewise as a whole; the firmware's
// autostart/ files map to freecam's services. A value equal to the firmware's own default
// (src's X.conf.dist, when it is there) is ignored, so freecam's default applies; so is one that
// dst's file (or freecam's default, when dst has none) already holds, or one that makes no
// difference there together with the file's other applied keys (see typedKeys): a second import
// of the same card applies nothing. Autostart files written that the card did not have
// (freecam's default services, when dst has no autostart/ yet) are in Report.Added. The
// firmware's lighttpd.user is always refused: its default root/ismart12 is public and its
// passwords cannot become freecam's argon2id accounts.
//
// When anything is refused, or when the merged result (dst's files with the applied values)
// does not pass conf.Load, nothing is written and the error wraps ErrRefused; the Report says
// why. Otherwise the typed files are written with conf.Apply, the whole files and autostart
// files atomically. Running Import twice gives the same dst. Any other error is a failure to
// read src or to write dst. Import is not safe against concurrent writers of dst.
func Import(src, dst string, o Options) (Report, error) {
	rep := newReport()
	rep.DryRun = o.DryRun
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return rep, fmt.Errorf("import: source %s: not a directory", src)
	}
	tmp, err := os.MkdirTemp(o.TempDir, "freecam-import-*")
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(tmp)
	s := &scratch{dir: tmp, dst: dst}

	entries, err := os.ReadDir(src)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	edits := conf.Edits{}
	whole := map[string][]byte{}
	var services []string
	var cands []candidate
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
			rep.ignore(Entry{File: name, Reason: "a hidden file"})
			continue
		case e.IsDir() && name == AutostartDir:
			on, err := autostart(src, dst, &rep)
			if err != nil {
				return rep, fmt.Errorf("import: %w", err)
			}
			services = on
			continue
		case e.IsDir():
			why, ok := unusedDirs()[name]
			if !ok {
				why = "not a config directory freecam uses"
			}
			rep.ignore(Entry{File: name + "/", Reason: why})
			continue
		case !e.Type().IsRegular():
			rep.ignore(Entry{File: name, Reason: "not a plain file (links are not followed)"})
			continue
		case strings.HasSuffix(name, ".dist"):
			rep.ignore(Entry{File: name, Reason: "the firmware's built-in default: read only to tell which values were left unchanged"})
			continue
		}
		data, err := readCapped(filepath.Join(src, name))
		if err != nil {
			rep.refuse(Entry{File: name, Reason: err.Error()})
			continue
		}
		dist, _ := readCapped(filepath.Join(src, name+".dist")) // nil when absent
		switch {
		case name == LighttpdUserFile:
			// Never accepted, but not a refusal: every firmware card has one, and it must not
			// block the import of the rest.
			rep.ignore(Entry{File: name, Reason: lighttpdUser(data)})
		case slices.Contains(typedFiles(), name) || name == SwapFile:
			c, err := s.file(name, data, dist, &rep)
			if err != nil {
				return rep, err
			}
			cands = append(cands, c...)
		case wholeFiles()[name].check != nil:
			ent := Entry{File: name}
			switch err := wholeFiles()[name].check(data); {
			case dist != nil && bytes.Equal(bytes.TrimSpace(data), bytes.TrimSpace(dist)):
				ent.Reason = "unchanged from the firmware's default (" + name + ".dist); not taken"
				rep.ignore(ent)
			case err != nil:
				ent.Reason = err.Error()
				rep.refuse(ent)
			case sameFile(filepath.Join(dst, name), data):
				ent.Reason = "already so in freecam's " + name
				rep.ignore(ent)
			default:
				ent.Reason = "taken as it is"
				rep.apply(ent)
				whole[name] = data
			}
		default:
			why, ok := unusedFiles()[name]
			if !ok {
				why = "not a config file freecam uses"
			}
			otherKeys(name, data, why, &rep)
		}
	}
	for _, c := range cands {
		if edits[c.entry.File] == nil {
			edits[c.entry.File] = map[string]string{}
		}
		edits[c.entry.File][c.entry.Key] = c.value
	}
	if err := s.check(dst, edits, cands, &rep); err != nil { // also when refused: every problem at once
		return rep, err
	}
	for _, c := range cands {
		if !slices.ContainsFunc(rep.Refused, func(r Entry) bool { return r.File == c.entry.File && r.Key == c.entry.Key }) {
			rep.apply(c.entry)
		}
	}
	sortReport(&rep)
	if len(rep.Refused) > 0 {
		return rep, rep.refusal()
	}
	auto := autostartWrites(dst, services)
	addedDefaults(auto, services, &rep)
	if o.DryRun {
		return rep, nil
	}
	if err := write(dst, edits, whole, auto, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// file classifies the keys of a typed file (or swap.conf).
func (s *scratch) file(name string, data, distData []byte, rep *Report) ([]candidate, error) {
	doc, err := shellconf.Parse(name, data)
	if err != nil {
		var is shellconf.Issue
		if !errors.As(err, &is) {
			is = shellconf.Issue{File: name, Message: err.Error()}
		}
		rep.refuse(Entry{File: name, Line: is.Line, Key: is.Key, Reason: is.Message})
		return nil, nil
	}
	var dist *shellconf.Doc
	if distData != nil {
		dist, _ = shellconf.Parse(name+".dist", distData) // an unreadable .dist only loses the comparison
	}
	if name == SwapFile {
		base, err := s.base(name)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		return swapKeys(doc, dist, base, rep), nil
	}
	return s.typedKeys(name, doc, dist, rep)
}

// swapKeys classifies swap.conf's keys with the system service's own checks (package swap);
// base is dst's swap.conf (empty when there is none).
func swapKeys(doc, dist, base *shellconf.Doc, rep *Report) []candidate {
	var out []candidate
	for _, key := range doc.Keys() {
		e, _ := doc.Lookup(key)
		ent := Entry{File: SwapFile, Line: e.Line, Key: key}
		ok := swap.IsKey(key)
		var de shellconf.Entry
		if dist != nil {
			de, _ = dist.Lookup(key)
		}
		switch {
		case !ok:
			ent.Reason = "not a key freecam knows"
			rep.ignore(ent)
		case de.Kind == shellconf.Assignment && de.Value.Raw == e.Value.Raw:
			ent.Reason = "unchanged from the firmware's default (" + SwapFile + ".dist); freecam's own default applies"
			rep.ignore(ent)
		case e.Value.Dynamic:
			_, _, _, err := doc.Static(key)
			ent.Reason = issueMessage(err)
			rep.refuse(ent)
		case sameText(base, key, e.Value.Text):
			ent.Reason = "already so in freecam's " + SwapFile
			rep.ignore(ent)
		default:
			if err := swap.Check(key, e.Value.Text); err != nil {
				ent.Reason = err.Error()
				rep.refuse(ent)
				continue
			}
			ent.Reason = "taken into " + SwapFile
			out = append(out, candidate{entry: ent, value: e.Value.Text})
		}
	}
	return out
}

// check applies edits to a copy of dst's files and loads the result; every problem is refused,
// on the source's line when it concerns an applied key.
func (s *scratch) check(dst string, edits conf.Edits, cands []candidate, rep *Report) error {
	merged := filepath.Join(s.dir, "merged")
	if err := os.Mkdir(merged, 0o700); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for _, n := range backup.Known() {
		data, err := readCapped(filepath.Join(dst, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("import: read the current %s: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(merged, n), data, 0o600); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	_, err := conf.Apply(merged, edits)
	var errs conf.Errors
	switch {
	case errors.As(err, &errs):
	case err != nil:
		rep.refuse(Entry{Reason: strings.ReplaceAll(err.Error(), merged+string(filepath.Separator), "")})
		return nil
	}
	for _, is := range errs {
		i := slices.IndexFunc(cands, func(c candidate) bool { return c.entry.File == is.File && c.entry.Key == is.Key })
		if i < 0 {
			// A problem of dst's own files, or of a key that was not imported (a motion
			// rectangle outside the imported picture size).
			// The line is of freecam's file, not the source's: said in the reason.
			where := "in the result"
			if is.Line > 0 {
				where += fmt.Sprintf(" (line %d of freecam's %s)", is.Line, is.File)
			}
			rep.refuse(Entry{File: is.File, Key: is.Key, Reason: where + ": " + is.Message})
			continue
		}
		c := cands[i].entry
		is.Line = c.Line
		rep.refuse(Entry{File: c.File, Line: c.Line, Key: c.Key, Reason: is.Message})
	}
	return nil
}

// write writes the typed files with conf.Apply, then the whole files and the autostart files
// (autostartWrites).
func write(dst string, edits conf.Edits, whole map[string][]byte, files []string, rep *Report) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if len(edits) > 0 {
		if _, err := conf.Apply(dst, edits); err != nil {
			return fmt.Errorf("import: write the config files: %w", err)
		}
		for _, n := range slices.Sorted(maps.Keys(edits)) {
			rep.Written = append(rep.Written, n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(whole)) {
		p := filepath.Join(dst, n)
		if cur, err := os.ReadFile(p); err == nil && bytes.Equal(cur, whole[n]) {
			continue
		}
		if err := fsutil.WriteFileAtomic(p, whole[n], wholeFiles()[n].mode); err != nil {
			return fmt.Errorf("import: write %s: %w", n, err)
		}
		rep.Written = append(rep.Written, n)
	}
	if len(files) > 0 {
		if err := os.MkdirAll(filepath.Join(dst, AutostartDir), 0o755); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	for _, f := range files {
		if err := fsutil.WriteFileAtomic(filepath.Join(dst, f), []byte(autostartMarker), 0o644); err != nil {
			return fmt.Errorf("import: write %s: %w", f, err)
		}
		rep.Written = append(rep.Written, f)
	}
	return nil
}

// sameFile reports whether the file at p holds exactly data.
func sameFile(p string, data []byte) bool {
	cur, err := readCapped(p)
	return err == nil && bytes.Equal(cur, data)
}

// readCapped reads a file of at most maxFileSize bytes.
func readCapped(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not a config file", maxFileSize)
	}
	var b bytes.Buffer
	_, err = b.ReadFrom(f)
	return b.Bytes(), err
}

// sortReport orders each list by file, then line.
func sortReport(r *Report) {
	for _, l := range [][]Entry{r.Applied, r.Ignored, r.Refused} {
		slices.SortStableFunc(l, func(a, b Entry) int {
			if c := strings.Compare(a.File, b.File); c != 0 {
				return c
			}
			return a.Line - b.Line
		})
	}
}
