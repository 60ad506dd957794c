package actions

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// saveFile copies src to dst through a temporary file in dst's directory, then renames it.
func saveFile(src, dst string, fileMode, dirMode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return err
	}
	return copyFile(src, dst, fileMode)
}

func copyFile(src, dst string, mode fs.FileMode) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, in); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// scriptTimeout bounds one user script.
const scriptTimeout = time.Minute

// userScripts runs every executable file in config/userscripts/motiondetection as the firmware
// did — `script on <snapshot> <clip>` at motion and `script off` at its end — but with argv,
// never through a shell, each bounded in time. Their output goes to the log.
func (a *Actions) userScripts(ctx context.Context, what, snapshot, clip string) {
	if a.o.ConfigDir == "" {
		return
	}
	dir := filepath.Join(a.o.ConfigDir, "userscripts", "motiondetection")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode()&0o111 == 0 || strings.HasSuffix(e.Name(), ".dist") {
			continue
		}
		args := []string{what}
		if what == "on" {
			args = append(args, snapshot, clip)
		}
		sctx, cancel := context.WithTimeout(ctx, scriptTimeout)
		cmd := exec.CommandContext(sctx, filepath.Join(dir, e.Name()), args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		log := a.log.With("script", e.Name(), "args", fmt.Sprint(args))
		if err != nil {
			log.Warn("motion user script failed", "err", err, "output", tail(out))
		} else {
			log.Debug("motion user script", "output", tail(out))
		}
	}
}

// tail keeps the end of a script's output for the log.
func tail(b []byte) string {
	const max = 512
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return strings.TrimSpace(string(b))
}
