package backup

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/fsutil"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/web/auth"
)

// DefaultMaxArchiveSize bounds the compressed archive Restore reads.
const DefaultMaxArchiveSize = 4 << 20

// RestoreOptions are Restore's limits. The zero value is the defaults.
type RestoreOptions struct {
	// MaxArchiveSize bounds the compressed bytes read. Default DefaultMaxArchiveSize.
	MaxArchiveSize int64
	// MaxFileSize bounds each file and MaxTotalSize all files, uncompressed. Defaults
	// DefaultMaxFileSize and DefaultMaxTotalSize.
	MaxFileSize, MaxTotalSize int64
	// MaxFiles bounds the entries of the archive, directories and ignored files included.
	// Default DefaultMaxFiles.
	MaxFiles int
	// TempDir is where the result is checked before it is written (a merged copy of the
	// config files). Default os.TempDir().
	TempDir string
}

func (o *RestoreOptions) defaults() {
	if o.MaxArchiveSize <= 0 {
		o.MaxArchiveSize = DefaultMaxArchiveSize
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxTotalSize <= 0 {
		o.MaxTotalSize = DefaultMaxTotalSize
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
}

// Restore reads a tar.gz made by Create (or by the firmware's saveConfig.sh) from r, checks it
// and writes its files into configDir.
//
// The archive is refused, and nothing is written, when it is damaged or over a limit of o, has
// an absolute path, a `..`, a link or a device (ErrMalformed), or when the configuration it
// gives does not load (ErrInvalid): its files are laid over a copy of configDir's (a partial
// archive is fine) and conf.Load must pass (an update.conf in the archive without the errors
// conf.Load only warns about), the users file must parse and keep an admin, the
// PTZ presets must read, and each TLS certificate must come with its matching key. Files
// freecam does not use, the .dist defaults, the firmware's lighttpd.user, user scripts and
// runtime state are never written; the Report lists them as ignored, with the reason.
//
// An accepted archive is written file by file, each atomically (fsutil.WriteFileAtomic): a
// crash in the middle leaves some files restored and the others as they were, never a torn
// file. When the archive has autostart/, the autostart set becomes the archive's (files it does
// not have are removed). freecam.key is written only with freecam.users. The caller reloads the
// camera afterwards. Restore is not safe against concurrent writers of configDir.
func Restore(r io.Reader, configDir string, o RestoreOptions) (Report, error) {
	o.defaults()
	rep := newReport()
	if fi, err := os.Stat(configDir); err != nil || !fi.IsDir() {
		return rep, fmt.Errorf("restore: config dir %s: not a directory (%v)", configDir, err)
	}
	a, err := readArchive(r, o, &rep)
	if err != nil {
		return rep, err
	}
	if len(a.files) == 0 && !a.autostartDir {
		rep.refuse("", "the archive holds no config file freecam uses")
		return rep, rep.refusal(ErrInvalid)
	}
	if err := check(a, configDir, o, &rep); err != nil {
		return rep, err
	}
	if len(rep.Refused) > 0 {
		return rep, rep.refusal(ErrInvalid)
	}
	if err := apply(a, configDir, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// check validates the archive's files; problems go to rep.Refused. An error is a failure of
// the camera (the temporary directory), not of the archive.
func check(a *archive, configDir string, o RestoreOptions, rep *Report) error {
	names := slices.Sorted(maps.Keys(a.files))
	for _, n := range names {
		e := a.files[n]
		k, _ := classify(n)
		switch k {
		case plain:
			if !utf8.Valid(e.data) || slices.Contains(e.data, 0) {
				rep.refuse(n, "not a text file")
			}
		case sealingKey:
			if _, ok := a.files[auth.UsersFile]; !ok {
				delete(a.files, n)
				rep.Ignored = append(rep.Ignored, Entry{File: n, Reason: "restored only with freecam.users: it would not open the sealed passwords of the accounts on this camera"})
			} else if len(e.data) != 32 {
				rep.refuse(n, "want 32 bytes, found %d", len(e.data))
			}
		}
	}
	for _, p := range tlsPairs() {
		c, hasCert := a.files[p[0]]
		k, hasKey := a.files[p[1]]
		switch {
		case hasCert && hasKey:
			if _, err := tls.X509KeyPair(c.data, k.data); err != nil {
				rep.refuse(p[0], "not a certificate matching %s: %v", p[1], err)
			}
		case hasCert:
			rep.refuse(p[0], "a certificate is restored only with its key, %s", p[1])
		case hasKey:
			rep.refuse(p[1], "a key is restored only with its certificate, %s", p[0])
		}
	}

	tmp, err := os.MkdirTemp(o.TempDir, "freecam-restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	// The merged result: the current files, then the archive's over them.
	for _, n := range Known() {
		data, err := readCapped(filepath.Join(configDir, n), o.MaxFileSize)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("restore: read the current %s: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, n), data, 0o600); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	for _, n := range names {
		if k, _ := classify(n); k == plain {
			if err := os.WriteFile(filepath.Join(tmp, n), a.files[n].data, 0o600); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
	}
	hide := func(s string) string { return strings.ReplaceAll(s, tmp+string(filepath.Separator), "") }

	_, warns, err := conf.Load(tmp)
	var errs conf.Errors
	switch {
	case errors.As(err, &errs):
		for _, is := range errs {
			rep.refuse(is.File, "%s", hide(is.String()))
		}
	case err != nil:
		rep.refuse("", "%s", hide(err.Error()))
	}
	// conf.Load only warns about update.conf's errors (the camera runs without updates); a
	// restored update.conf must load like the other files.
	refused := make(map[string]bool)
	if _, ok := a.files[conf.UpdateFile]; ok {
		var uerrs conf.Errors
		if _, err := conf.LoadUpdate(tmp); errors.As(err, &uerrs) {
			for _, is := range uerrs {
				refused[is.String()] = true
				rep.refuse(is.File, "%s", hide(is.String()))
			}
		} else if err != nil {
			rep.refuse(conf.UpdateFile, "%s", hide(err.Error()))
		}
	}
	for _, w := range warns {
		if _, ok := a.files[w.File]; ok && !refused[w.String()] {
			rep.Warnings = append(rep.Warnings, hide(w.String()))
		}
	}
	if _, ok := a.files[auth.UsersFile]; ok {
		checkUsers(a, tmp, hide, rep)
	}
	if _, ok := a.files[ptz.File]; ok {
		// Positions past the motor's limits only warn (and are clamped when gone to).
		far := hal.Position{X: math.MaxInt32, Y: math.MaxInt32}
		if _, _, err := ptz.Load(filepath.Join(tmp, ptz.File), far); err != nil {
			rep.refuse(ptz.File, "%s", hide(err.Error()))
		}
	}
	return nil
}

// checkUsers checks the merged users file: it parses and keeps an admin.
func checkUsers(a *archive, tmp string, hide func(string) string, rep *Report) {
	au, err := auth.New(auth.Options{ConfigDir: tmp})
	if err != nil {
		rep.refuse(auth.UsersFile, "%s", hide(err.Error()))
		return
	}
	var admin bool
	var digest []string
	for _, u := range au.Users() {
		admin = admin || u.Role == auth.Admin
		if u.Digest {
			digest = append(digest, u.Name)
		}
	}
	if !admin {
		rep.refuse(auth.UsersFile, "no admin account: the restore would lock every admin out")
	}
	if _, ok := a.files[auth.KeyFile]; ok {
		rep.Warnings = append(rep.Warnings, "freecam.key is restored: restart freecam so that digest and ONVIF logins use it")
	} else if len(digest) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the archive has no freecam.key: if it comes from another camera, "+
			"the digest (ONVIF) accounts %s must set their password again", strings.Join(digest, ", ")))
	}
}

// apply writes the checked files: keys and certificates first, the users file last.
func apply(a *archive, configDir string, rep *Report) error {
	names := slices.Sorted(maps.Keys(a.files))
	slices.SortStableFunc(names, func(x, y string) int { return writeOrder(x) - writeOrder(y) })
	madeDirs := map[string]bool{}
	for _, n := range names {
		e := a.files[n]
		if dir := path.Dir(n); dir != "." && !madeDirs[dir] {
			perm := fs.FileMode(0o755)
			if dir == TLSDir {
				perm = 0o700
			}
			if err := os.MkdirAll(filepath.Join(configDir, dir), perm); err != nil {
				return fmt.Errorf("restore: %w (%d files were restored before)", err, len(rep.Restored))
			}
			madeDirs[dir] = true
		}
		perm := e.mode&0o644 | 0o600
		if slices.Contains(secretFiles(), n) {
			perm = 0o600
		}
		if err := fsutil.WriteFileAtomic(filepath.Join(configDir, filepath.FromSlash(n)), e.data, perm); err != nil {
			return fmt.Errorf("restore: %w (%d files were restored before)", err, len(rep.Restored))
		}
		rep.Restored = append(rep.Restored, Entry{File: n})
	}
	if !a.autostartDir {
		return nil
	}
	dir := filepath.Join(configDir, AutostartDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, de := range des {
		n := path.Join(AutostartDir, de.Name())
		if k, _ := classify(n); k != autostart || !de.Type().IsRegular() {
			continue
		}
		if _, keep := a.files[n]; keep {
			continue
		}
		if err := os.Remove(filepath.Join(dir, de.Name())); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		rep.Removed = append(rep.Removed, Entry{File: n, Reason: "not in the archive's autostart/: the service was not started at boot"})
	}
	if len(rep.Removed) > 0 {
		return fsutil.SyncDir(dir)
	}
	return nil
}

// writeOrder puts the TLS files and the sealing key before the config files and the users
// file last, so an account never exists without the key that opens its sealed password.
func writeOrder(name string) int {
	switch k, _ := classify(name); {
	case k == tlsFile, k == sealingKey:
		return 0
	case name == auth.UsersFile:
		return 2
	}
	return 1
}
