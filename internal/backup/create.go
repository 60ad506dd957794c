package backup

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/freecam/freecam/internal/web/auth"
)

// Default limits, shared by Create (it never writes an archive Restore would refuse) and Restore.
const (
	DefaultMaxFileSize  = 1 << 20 // per file
	DefaultMaxTotalSize = 8 << 20 // all files, uncompressed
	DefaultMaxFiles     = 256     // entries, directories and ignored ones included
)

// Options select what Create puts in the archive. The zero value is the safe default: no
// password-equivalent and no private key.
type Options struct {
	// IncludeSealingKey adds freecam.key, the key that seals the passwords of the accounts that
	// use digest logins (ONVIF, HTTP Digest). With it, the archive together with its
	// freecam.users gives those passwords away; without it, a restore onto another camera (or
	// after the key was lost) leaves those accounts to set their password again. Default off.
	IncludeSealingKey bool
	// IncludeTLSKeys adds tls/: the certificates with their private keys (both, never one
	// without the other). Default off: the camera keeps its own certificate.
	IncludeTLSKeys bool
	// MaxFileSize and MaxTotalSize bound what Create reads; a larger file is an error, not
	// skipped. Defaults DefaultMaxFileSize and DefaultMaxTotalSize.
	MaxFileSize, MaxTotalSize int64
}

func (o *Options) defaults() {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxTotalSize <= 0 {
		o.MaxTotalSize = DefaultMaxTotalSize
	}
}

// entry is one file (or directory, data nil) of an archive.
type entry struct {
	name    string // slash-separated, relative; a directory ends in "/"
	data    []byte
	mode    fs.FileMode
	modTime time.Time
}

// Create writes configDir as a tar.gz to w: the files Known lists, autostart/ and, when o asks,
// freecam.key and tls/ — regular files only (symbolic links, devices and anything else are
// left out), in sorted order, with their permission bits and modification times, owner root.
// Left out always: the .dist defaults, runtime state (cameraposition), the firmware's own
// lighttpd.user and lighttpd.pem, user scripts (programs: copy them by hand) and files freecam
// does not use. The same directory gives the same bytes.
//
// Everything is read before the first byte is written, so an error (a file over the limits,
// an unreadable file) leaves w untouched.
func Create(w io.Writer, configDir string, o Options) error {
	o.defaults()
	entries, err := collect(configDir, o)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: int64(e.mode.Perm()), ModTime: e.modTime.Truncate(time.Second),
			Typeflag: tar.TypeReg, Size: int64(len(e.data)), Format: tar.FormatUSTAR}
		if e.data == nil {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("backup: %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("backup: %s: %w", e.name, err)
		}
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// collect reads the files Create writes, in archive order.
func collect(configDir string, o Options) ([]entry, error) {
	var out []entry
	var total int64
	add := func(name string) error {
		p := filepath.Join(configDir, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil // a link or a device is never backed up
		}
		data, err := readCapped(p, o.MaxFileSize)
		if err != nil {
			return err
		}
		if total += int64(len(data)); total > o.MaxTotalSize {
			return fmt.Errorf("the config files are larger than %d bytes together", o.MaxTotalSize)
		}
		if data == nil {
			data = []byte{}
		}
		out = append(out, entry{name: name, data: data, mode: fi.Mode().Perm(), modTime: fi.ModTime()})
		return nil
	}
	addDir := func(dir string, names []string) error {
		p := filepath.Join(configDir, dir)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir() {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, entry{name: dir + "/", mode: fi.Mode().Perm(), modTime: fi.ModTime()})
		for _, n := range names {
			if err := add(path.Join(dir, n)); err != nil {
				return err
			}
		}
		return nil
	}

	var top []string
	top = append(top, Known()...)
	if o.IncludeSealingKey {
		top = append(top, auth.KeyFile)
	}
	slices.Sort(top)
	for _, n := range top {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	// autostart/: every service file (os.ReadDir sorts).
	var services []string
	if des, err := os.ReadDir(filepath.Join(configDir, AutostartDir)); err == nil {
		for _, de := range des {
			if k, _ := classify(path.Join(AutostartDir, de.Name())); k == autostart {
				services = append(services, de.Name())
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := addDir(AutostartDir, services); err != nil {
		return nil, err
	}
	if o.IncludeTLSKeys {
		var names []string
		for _, p := range tlsPairs() {
			if exists(filepath.Join(configDir, p[0])) && exists(filepath.Join(configDir, p[1])) {
				names = append(names, path.Base(p[0]), path.Base(p[1]))
			}
		}
		slices.Sort(names)
		if err := addDir(TLSDir, names); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readCapped reads a file of at most max bytes.
func readCapped(p string, max int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", filepath.Base(p), max)
	}
	return data, nil
}

func exists(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}
