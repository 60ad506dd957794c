package deliver

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/freecam/freecam/internal/fsutil"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The spool of a queue, Dir/<target>/, holds per item:
//
//	<seq>-<id>.json   the item (Files as names inside the directory below); its presence is the commit
//	<seq>-<id>/       the item's files, hard links or copies of the originals (absent for none)
//
// seq is a zero-padded sequence number that orders the queue and resumes after a restart. An
// item is written as: files into <stem>/ (synced), JSON to <stem>.json.tmp (synced), rename,
// directory synced. It is removed JSON first, so a crash at any point leaves either a complete
// item or debris (a .json.tmp, a directory without JSON) that load removes.

const (
	seqDigits = 20
	jsonExt   = ".json"
	tmpExt    = ".json.tmp"
)

// record is the JSON of a spooled item.
type record struct {
	Version int  `json:"v"`
	Item    Item `json:"item"` // Files are base names inside the item's directory
}

func stemOf(seq uint64, id string) string { return fmt.Sprintf("%0*d-%s", seqDigits, seq, id) }

// parseStem splits "<seq>-<id>"; ok is false for names that are not the spool's.
func parseStem(stem string) (seq uint64, id string, ok bool) {
	if len(stem) < seqDigits+2 || stem[seqDigits] != '-' {
		return 0, "", false
	}
	seq, err := strconv.ParseUint(stem[:seqDigits], 10, 64)
	if err != nil || seq == 0 {
		return 0, "", false
	}
	id = stem[seqDigits+1:]
	if checkName(id) != nil {
		return 0, "", false
	}
	return seq, id, true
}

// load creates the spool directory and reads the items in it, removing debris of a crash and
// damaged items (logged with their file name). Names that are not the spool's are left alone.
func (q *Queue) load() error {
	if err := os.MkdirAll(q.dir, 0o700); err != nil {
		return fmt.Errorf("deliver: %s: spool: %w", q.name, err)
	}
	des, err := os.ReadDir(q.dir)
	if err != nil {
		return fmt.Errorf("deliver: %s: spool: %w", q.name, err)
	}
	valid := make(map[string]bool)
	var dirs []string
	for _, de := range des {
		name := de.Name()
		path := filepath.Join(q.dir, name)
		switch {
		case strings.HasSuffix(name, tmpExt):
			if _, _, ok := parseStem(strings.TrimSuffix(name, tmpExt)); ok {
				q.log.Warn("removing a half-written item left by a crash", "file", path)
				_ = os.Remove(path)
			}
		case strings.HasSuffix(name, jsonExt):
			stem := strings.TrimSuffix(name, jsonExt)
			seq, id, ok := parseStem(stem)
			if !ok || !de.Type().IsRegular() {
				continue
			}
			e, err := q.read(stem, seq, id)
			if err != nil {
				q.log.Warn("skipping a damaged item; removing it", "file", path, "err", err)
				_ = os.Remove(path)
				continue
			}
			valid[stem] = true
			q.items = append(q.items, e)
			q.ids[id] = struct{}{}
			q.next = max(q.next, seq+1)
		case de.IsDir():
			if seq, _, ok := parseStem(name); ok {
				dirs = append(dirs, name)
				q.next = max(q.next, seq+1)
			}
		}
	}
	for _, d := range dirs {
		if !valid[d] { // files of an item whose JSON never got written, or was removed
			_ = os.RemoveAll(filepath.Join(q.dir, d))
		}
	}
	slices.SortFunc(q.items, func(a, b *entry) int { return cmpSeq(a.seq, b.seq) })
	if n := len(q.items); n > 0 {
		q.log.Info("items waiting in the queue from before", "count", n) // a previous run, or before a reload
	}
	for _, v := range q.trim() {
		q.remove(v)
	}
	return nil
}

// read decodes the item stem and checks that it is whole and its files are there.
func (q *Queue) read(stem string, seq uint64, id string) (*entry, error) {
	buf, err := os.ReadFile(filepath.Join(q.dir, stem+jsonExt))
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(buf, &r); err != nil {
		return nil, err
	}
	if r.Version != 1 {
		return nil, fmt.Errorf("version %d, want 1", r.Version)
	}
	if r.Item.ID != id {
		return nil, fmt.Errorf("item id %q does not match the file name", r.Item.ID)
	}
	for i, f := range r.Item.Files {
		if f == "" || f != filepath.Base(f) || f == "." || f == ".." {
			return nil, fmt.Errorf("file name %q is not a name inside the spool", f)
		}
		p := filepath.Join(q.dir, stem, f)
		if _, err := os.Stat(p); err != nil {
			return nil, err
		}
		r.Item.Files[i] = p
	}
	return &entry{seq: seq, stem: stem, it: r.Item}, nil
}

// write spools it as item seq: its files first, then its JSON, each synced.
func (q *Queue) write(seq uint64, it Item) (*entry, error) {
	stem := stemOf(seq, it.ID)
	names := make([]string, len(it.Files))
	paths := make([]string, len(it.Files))
	if len(it.Files) > 0 {
		data := filepath.Join(q.dir, stem)
		if err := os.Mkdir(data, 0o700); err != nil {
			return nil, err
		}
		fail := func(err error) (*entry, error) {
			_ = os.RemoveAll(data)
			return nil, err
		}
		for i, src := range it.Files {
			base := filepath.Base(src)
			if src == "" || base == "." || base == ".." || base == string(filepath.Separator) {
				return fail(fmt.Errorf("file %q is not a file name", src))
			}
			if slices.Contains(names[:i], base) {
				base = strconv.Itoa(i) + "-" + base
			}
			names[i], paths[i] = base, filepath.Join(data, base)
			if err := q.linkOrCopy(src, paths[i]); err != nil {
				return fail(err)
			}
		}
		if err := fsutil.SyncDir(data); err != nil {
			return fail(err)
		}
	}
	r := record{Version: 1, Item: it}
	r.Item.Files = names
	buf, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	final, tmp := filepath.Join(q.dir, stem+jsonExt), filepath.Join(q.dir, stem+tmpExt)
	if err := fsutil.WriteSynced(tmp, buf, 0o600); err != nil {
		_ = os.Remove(tmp)
		_ = os.RemoveAll(filepath.Join(q.dir, stem))
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		_ = os.RemoveAll(filepath.Join(q.dir, stem))
		return nil, err
	}
	if err := fsutil.SyncDir(q.dir); err != nil {
		// The item is there but may not survive a power cut; report it and take it back.
		_ = os.Remove(final)
		_ = os.RemoveAll(filepath.Join(q.dir, stem))
		return nil, err
	}
	it.Files = paths
	return &entry{seq: seq, stem: stem, it: it}, nil
}

// remove deletes a spooled item from disk: JSON first (the commit), then its files.
func (q *Queue) remove(e *entry) {
	if err := os.Remove(filepath.Join(q.dir, e.stem+jsonExt)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		q.log.Warn("cannot remove a spooled item", "item", e.it.ID, "err", err)
	}
	if len(e.it.Files) > 0 {
		if err := os.RemoveAll(filepath.Join(q.dir, e.stem)); err != nil {
			q.log.Warn("cannot remove a spooled item's files", "item", e.it.ID, "err", err)
		}
	}
}

// linkOrCopy makes dst a durable copy of src: a hard link where the file system allows it, else
// a full copy.
func (q *Queue) linkOrCopy(src, dst string) error {
	if !q.noLink {
		if err := os.Link(src, dst); err == nil {
			return fsutil.SyncFile(dst) // the original's writer may not have synced it
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
