package tlscert

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names inside Options.Dir/tls.
const (
	SubDir       = "tls"
	SelfCertFile = "freecam.crt"
	SelfKeyFile  = "freecam.key"
	UserCertFile = "user.crt"
	UserKeyFile  = "user.key"
)

// stamp identifies a version of a file: whether it exists and the SHA-256 of its content. The
// files are a few kilobytes and read once per check, so content is compared rather than mtimes,
// whose granularity (a jiffy on many Linux file systems) can hide a quick same-size replacement.
type stamp struct {
	present bool
	sum     [sha256.Size]byte
}

func (s stamp) exists() bool { return s.present }

// pairStamp is the stamp of a certificate file and its key file.
type pairStamp struct{ cert, key stamp }

func statFile(path string) (stamp, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stamp{}, nil
	}
	if err != nil {
		return stamp{}, err
	}
	return stamp{present: true, sum: sha256.Sum256(data)}, nil
}

func statPair(certPath, keyPath string) (pairStamp, error) {
	c, err := statFile(certPath)
	if err != nil {
		return pairStamp{}, err
	}
	k, err := statFile(keyPath)
	if err != nil {
		return pairStamp{}, err
	}
	return pairStamp{cert: c, key: k}, nil
}

// writeAtomic writes data to path through a temporary file in the same directory, synced and
// renamed over path, so a reader never sees a half-written file.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("tlscert: write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("tlscert: write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("tlscert: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("tlscert: write %s: %w", path, err)
	}
	return nil
}
