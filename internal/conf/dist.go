package conf

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed dist/*.conf.dist
var distFS embed.FS

// distFile is a built-in X.conf.dist and the mode of the X.conf made from it.
type distFile struct {
	name string
	mode fs.FileMode
}

// distFiles lists the built-in files; those that can hold secrets get 0600.
func distFiles() []distFile {
	return []distFile{
		{RTSPServerFile, 0o600}, // USERPASSWORD
		{OSDFile, 0o644},
		{FreecamFile, 0o644},
		{AutoNightFile, 0o644},
		{RecordingFile, 0o644},
		{TimelapseFile, 0o644},
		{HALFile, 0o644},
		{MotionFile, 0o600},   // ftp_password, smb_password, dropbox_token
		{MQTTFile, 0o600},     // PASS
		{MailFile, 0o600},     // PASS
		{TelegramFile, 0o600}, // apiToken
		{MatrixFile, 0o600},   // access_token
		{ONVIFFile, 0o644},
		{UpdateFile, 0o644},
	}
}

// Dist returns the built-in default content of the config file name (for
// example "rtspserver.conf"), or false if there is none.
func Dist(name string) ([]byte, bool) {
	b, err := distFS.ReadFile("dist/" + name + ".dist")
	return b, err == nil
}

// EnsureFiles creates dir (mode 0700) if needed and copies every missing
// X.conf from its built-in X.conf.dist, like the firmware did on first
// start. Existing files are never touched. It returns the paths it created.
func EnsureFiles(dir string) (created []string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("conf: create config dir: %w", err)
	}
	for _, f := range distFiles() {
		data, ok := Dist(f.name)
		if !ok {
			return created, fmt.Errorf("conf: no built-in %s.dist", f.name)
		}
		path := filepath.Join(dir, f.name)
		made, err := createExclusive(path, data, f.mode)
		if err != nil {
			return created, fmt.Errorf("conf: create %s: %w", path, err)
		}
		if made {
			created = append(created, path)
		}
	}
	return created, nil
}

// createExclusive writes a new file at path; it reports false, and writes
// nothing, when path already exists. O_EXCL rather than a rename so that a
// file created meanwhile is never replaced, on any file system (FAT SD
// cards have no hard links).
func createExclusive(path string, data []byte, mode fs.FileMode) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := f.Chmod(mode); err != nil { // not narrowed by the umask
		f.Close()
		os.Remove(path)
		return false, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return false, err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return false, err
	}
	return true, nil
}
