package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// RetentionOptions configures a Retention. Root and Patterns are required; every limit is off
// when zero.
type RetentionOptions struct {
	// Root is the media directory, for example data/Recording. Files and empty directories are
	// removed below it, never Root itself.
	Root string
	// Patterns are base-name globs (path.Match syntax) of the files this retention may delete,
	// for example "REC_*.mp4". A file that matches none is never touched.
	Patterns []string
	// MaxAge deletes files last modified longer ago than this.
	MaxAge time.Duration
	// MaxBytes deletes the oldest files until the matching files use at most this many bytes.
	MaxBytes int64
	// MinFreePercent and MinFreeBytes delete the oldest files until the file system holding Root
	// has at least this much free space (both must hold when both are set).
	MinFreePercent float64
	MinFreeBytes   int64
	// Interval is how often Run sweeps. It defaults to one minute.
	Interval time.Duration
	// Keep reports files that must not be deleted (the one being written). Nil keeps none.
	// It is called from the sweeping goroutine and must be safe for that.
	Keep func(path string) bool
	// Now is the clock for MaxAge. Nil means time.Now.
	Now func() time.Time
	// StatFS measures free space. Nil means StatFS (statfs(2)).
	StatFS StatFSFunc
	// Logger receives one line per sweep that deleted something. Nil means slog.Default().
	Logger *slog.Logger
}

// SweepResult says what one sweep did and what is left.
type SweepResult struct {
	Deleted   int   // files removed
	Freed     int64 // their bytes
	Remaining int   // matching files left
	Bytes     int64 // their bytes
}

// Retention enforces the limits of one media directory. Sweep may be called from any goroutine;
// sweeps never overlap.
type Retention struct {
	opts    RetentionOptions
	mu      sync.Mutex // one sweep at a time
	trigger chan struct{}
}

// NewRetention returns a Retention for opts. It starts nothing.
func NewRetention(opts RetentionOptions) *Retention {
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StatFS == nil {
		opts.StatFS = StatFS
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Retention{opts: opts, trigger: make(chan struct{}, 1)}
}

// Root returns the directory this retention manages.
func (r *Retention) Root() string { return r.opts.Root }

// Run sweeps at once, then every Interval and whenever Trigger is called, until ctx ends; it
// returns ctx.Err(). A failed sweep is logged and retried at the next tick.
func (r *Retention) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	for {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.opts.Logger.Warn("retention sweep failed", "root", r.opts.Root, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-r.trigger:
		}
	}
}

// Trigger asks Run for a sweep as soon as possible. It never blocks.
func (r *Retention) Trigger() {
	select {
	case r.trigger <- struct{}{}:
	default:
	}
}

type mediaFile struct {
	path string // absolute or Root-relative as walked
	rel  string // relative to Root, slash-separated order key
	size int64
	mod  time.Time
}

// Sweep enforces every limit once: first age, then total size, then free space, deleting the
// oldest files first. "Oldest" is the order of the paths relative to Root, which is
// chronological for freecam's date/hour/time names and does not trust file times that a camera
// without a clock at boot may have got wrong; age uses the modification time. A Root that does
// not exist yet is not an error.
func (r *Retention) Sweep(ctx context.Context) (SweepResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var res SweepResult
	files, total, err := r.list()
	if err != nil {
		return res, err
	}
	for _, f := range files {
		total += f.size
	}
	var errs []error
	del := func(f mediaFile) bool {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("storage: delete %s: %w", f.path, err))
			return false
		}
		res.Deleted++
		res.Freed += f.size
		total -= f.size
		r.removeEmptyParents(filepath.Dir(f.path))
		return true
	}

	kept := files[:0]
	if r.opts.MaxAge > 0 {
		cutoff := r.opts.Now().Add(-r.opts.MaxAge)
		for _, f := range files {
			if f.mod.Before(cutoff) && del(f) {
				continue
			}
			kept = append(kept, f)
		}
		files = kept
	}
	for r.opts.MaxBytes > 0 && total > r.opts.MaxBytes && len(files) > 0 {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if !del(files[0]) {
			break
		}
		files = files[1:]
	}
	if r.opts.MinFreePercent > 0 || r.opts.MinFreeBytes > 0 {
		for {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			st, err := r.opts.StatFS(r.opts.Root)
			if err != nil {
				errs = append(errs, err)
				break
			}
			if r.enoughFree(st) || len(files) == 0 {
				break
			}
			if !del(files[0]) {
				break
			}
			files = files[1:]
		}
	}
	res.Remaining = len(files)
	res.Bytes = total
	if res.Deleted > 0 {
		r.opts.Logger.Info("retention deleted old media", "root", r.opts.Root,
			"files", res.Deleted, "freed_bytes", res.Freed, "remaining", res.Remaining)
	}
	return res, errors.Join(errs...)
}

func (r *Retention) enoughFree(st FSStat) bool {
	if r.opts.MinFreeBytes > 0 && st.Free < uint64(r.opts.MinFreeBytes) {
		return false
	}
	if r.opts.MinFreePercent > 0 && st.Total > 0 &&
		float64(st.Free)*100 < r.opts.MinFreePercent*float64(st.Total) {
		return false
	}
	return true
}

// list returns the deletable files, oldest first, and the bytes of the matching files that Keep
// protects (they count towards MaxBytes but are never deleted).
func (r *Retention) list() ([]mediaFile, int64, error) {
	var files []mediaFile
	var kept int64
	err := filepath.WalkDir(r.opts.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == r.opts.Root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			if d != nil && d.IsDir() && path != r.opts.Root {
				return fs.SkipDir // unreadable subdirectory: leave it alone
			}
			return err
		}
		if !d.Type().IsRegular() || !r.matches(d.Name()) {
			return nil // directories are walked; links and others are never touched
		}
		info, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile
		}
		if r.opts.Keep != nil && r.opts.Keep(path) {
			kept += info.Size()
			return nil
		}
		rel, _ := filepath.Rel(r.opts.Root, path)
		files = append(files, mediaFile{path: path, rel: filepath.ToSlash(rel), size: info.Size(), mod: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list %s: %w", r.opts.Root, err)
	}
	slices.SortFunc(files, func(a, b mediaFile) int {
		switch {
		case a.rel < b.rel:
			return -1
		case a.rel > b.rel:
			return 1
		}
		return 0
	})
	return files, kept, nil
}

func (r *Retention) matches(name string) bool {
	for _, p := range r.opts.Patterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

// removeEmptyParents removes dir and its parents up to, not including, Root while they are
// empty. os.Remove refuses a directory that is not empty, so a file created meanwhile is safe.
func (r *Retention) removeEmptyParents(dir string) {
	root := filepath.Clean(r.opts.Root)
	for {
		dir = filepath.Clean(dir)
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." || rel == ".." || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
			return
		}
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
