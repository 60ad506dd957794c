package update

import (
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/fsutil"
)

// Apply downloads rel's binary next to the running one, verifies it (signature, size, SHA-256,
// that it runs on this machine), keeps the running binary as <bin>.previous, writes
// <bin>.pending and renames the new binary over <bin>. It blocks until done or ctx ends; memory
// stays bounded whatever the size (the download is streamed to disk through the hash).
//
// On any error the running binary is untouched and no temporary file is left; the error says
// what failed. One Apply at a time per binary (it removes the temporary files of an earlier,
// interrupted one). On success the caller must restart into the new binary (Restart) and the new
// process must call GuardStart at start and Guard.ConfirmHealthy once the camera runs.
func Apply(ctx context.Context, rel *Release, o Options) (err error) {
	if rel == nil {
		return errors.New("no release to apply")
	}
	log := o.logger()
	platform := o.platform()
	if rel.Platform != platform {
		return fmt.Errorf("release %s is for %s, this binary runs on %s", rel.Version, rel.Platform, platform)
	}
	if !o.AllowOlder {
		c, cerr := CompareVersions(rel.Version, o.CurrentVersion)
		if cerr != nil {
			return fmt.Errorf("cannot tell whether %s is newer than %s (%w); a forced update allows it", rel.Version, o.CurrentVersion, cerr)
		}
		if c <= 0 {
			return fmt.Errorf("release %s is not newer than the running %s", rel.Version, o.CurrentVersion)
		}
	}
	keys, err := o.keys()
	if err != nil {
		return err
	}
	b := rel.Binary
	if err := b.Verify(keys, rel.Version, platform); err != nil {
		return fmt.Errorf("release %s: %w", rel.Version, err)
	}
	maxSize := o.MaxSize
	if maxSize <= 0 {
		maxSize = defaultMaxSize
	}
	if b.Size > maxSize {
		return fmt.Errorf("release %s: binary of %d bytes is larger than the %d allowed", rel.Version, b.Size, maxSize)
	}
	if _, err := httpsURL(b.URL, "binary URL"); err != nil {
		return err
	}
	client, err := o.client()
	if err != nil {
		return err
	}
	exe, err := o.executable()
	if err != nil {
		return err
	}
	if _, err := os.Stat(exe + ".pending"); err == nil {
		return fmt.Errorf("an update is already waiting for its health confirmation (%s.pending); restart freecam first", exe)
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return fmt.Errorf("the running binary: %w", err)
	}

	dir, base := filepath.Split(exe)
	// A download cut by a power loss or a kill leaves its temporary file; Apply runs one at a time.
	if stale, _ := filepath.Glob(filepath.Join(dir, "."+base+".new-*")); len(stale) > 0 {
		for _, s := range stale {
			os.Remove(s)
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".new-*")
	if err != nil {
		return fmt.Errorf("create the download file next to %s: %w", exe, err)
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()

	log.Info("downloading", "version", rel.Version, "url", b.URL, "bytes", b.Size)
	sum, err := download(ctx, client, b, f, o)
	if err != nil {
		return fmt.Errorf("download %s: %w", rel.Version, err)
	}
	if sum != b.SHA256 {
		return fmt.Errorf("download %s: sha256 mismatch: the file hashes to %s, the signed manifest says %s (tampered or corrupted)", rel.Version, sum, b.SHA256)
	}
	if err := f.Chmod(fi.Mode().Perm() | 0o111); err != nil {
		return fmt.Errorf("make the download executable: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync the download: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close the download: %w", err)
	}
	f = nil
	if !o.NoRunCheck {
		if err := runCheck(ctx, tmp, rel.Version, platform, o); err != nil {
			return fmt.Errorf("release %s: %w", rel.Version, err)
		}
	}

	// From here the new binary is good. Keep the old one, mark the update pending, swap. The
	// binary kept is the one on disk, which is not the running one after a rollback or an
	// update by hand (freecam update): its own version is recorded.
	previous := diskVersion(ctx, exe, o.CurrentVersion, o.RunCheckTimeout)
	if err := keepPrevious(exe); err != nil {
		return err
	}
	timeout := o.HealthTimeout
	if timeout <= 0 {
		timeout = defaultHealthTimeout
	}
	maxStarts := o.MaxStarts
	if maxStarts <= 0 {
		maxStarts = defaultMaxStarts
	}
	p := Pending{Version: rel.Version, PreviousVersion: previous, Applied: time.Now().UTC(),
		TimeoutSeconds: timeout.Seconds(), MaxStarts: maxStarts}
	if err := writeJSON(exe+".pending", p); err != nil {
		return fmt.Errorf("write the pending marker: %w", err)
	}
	if err := os.Rename(tmp, exe); err != nil {
		os.Remove(exe + ".pending")
		return fmt.Errorf("install %s over %s: %w", rel.Version, exe, err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		log.Warn("installed, but syncing the directory failed", "err", err)
	}
	log.Info("installed; restart to run it", "version", rel.Version, "binary", exe, "previous", exe+".previous", "health_timeout", timeout)
	return nil
}

// download streams b into f through SHA-256, enforcing b.Size, and returns the hex hash.
func download(ctx context.Context, client *http.Client, b Binary, f *os.File, o Options) (string, error) {
	resp, err := get(ctx, client, b.URL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.ContentLength >= 0 && resp.ContentLength != b.Size {
		return "", fmt.Errorf("size mismatch: the server sends %d bytes, the signed manifest says %d", resp.ContentLength, b.Size)
	}
	h := sha256.New()
	pw := &progressWriter{w: io.MultiWriter(f, h), total: b.Size, report: o.Progress, every: o.ProgressInterval}
	if pw.every <= 0 {
		pw.every = defaultProgressInterval
	}
	pw.tick(true)
	n, err := io.CopyBuffer(pw, io.LimitReader(resp.Body, b.Size+1), make([]byte, 32<<10))
	if err != nil {
		return "", fmt.Errorf("truncated download: after %d of %d bytes: %w", n, b.Size, err)
	}
	if n < b.Size {
		return "", fmt.Errorf("truncated download: got %d of %d bytes", n, b.Size)
	}
	if n > b.Size {
		return "", fmt.Errorf("size mismatch: the server sends more than the %d bytes the signed manifest says", b.Size)
	}
	pw.tick(true)
	return hex.EncodeToString(h.Sum(nil)), nil
}

type progressWriter struct {
	w      io.Writer
	done   int64
	total  int64
	report func(done, total int64)
	every  time.Duration
	last   time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.tick(false)
	return n, err
}

func (p *progressWriter) tick(force bool) {
	if p.report == nil {
		return
	}
	now := time.Now()
	if force || now.Sub(p.last) >= p.every {
		p.last = now
		p.report(p.done, p.total)
	}
}

// runCheck refuses a file that is not an executable for this machine, or that does not run
// `FILE version` and print the release's version (a release whose binary says another version
// would be offered again and again).
func runCheck(ctx context.Context, path, version, platform string, o Options) error {
	if runtime.GOOS == "linux" && strings.HasPrefix(platform, "linux/") {
		if err := checkELF(path); err != nil {
			return err
		}
	}
	got, err := BinaryVersion(ctx, path, o.RunCheckTimeout)
	if err != nil {
		return fmt.Errorf("the new binary: %w", err)
	}
	if !sameVersion(got, version) {
		return fmt.Errorf("the new binary says it is version %q, not %s", got, version)
	}
	return nil
}

func trim(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// checkELF refuses a file that is not an ELF executable for the running architecture.
func checkELF(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("the new binary is not an ELF executable: %w", err)
	}
	defer f.Close()
	want, order, ok := elfMachine(runtime.GOARCH)
	if !ok {
		return nil // an architecture this check does not know
	}
	if f.Machine != want || f.ByteOrder != order {
		return fmt.Errorf("the new binary is for %v (%v), this machine is %s", f.Machine, f.ByteOrder, runtime.GOARCH)
	}
	return nil
}

func elfMachine(goarch string) (elf.Machine, binary.ByteOrder, bool) {
	switch goarch {
	case "amd64":
		return elf.EM_X86_64, binary.LittleEndian, true
	case "386":
		return elf.EM_386, binary.LittleEndian, true
	case "arm":
		return elf.EM_ARM, binary.LittleEndian, true
	case "arm64":
		return elf.EM_AARCH64, binary.LittleEndian, true
	case "mipsle":
		return elf.EM_MIPS, binary.LittleEndian, true
	case "mips":
		return elf.EM_MIPS, binary.BigEndian, true
	case "riscv64":
		return elf.EM_RISCV, binary.LittleEndian, true
	}
	return 0, nil, false
}

// keepPrevious makes <exe>.previous a copy of exe: a hard link where the file system has them,
// a synced copy otherwise (FAT).
func keepPrevious(exe string) error {
	prev := exe + ".previous"
	tmp := exe + ".previous.tmp"
	os.Remove(tmp)
	if err := os.Link(exe, tmp); err != nil {
		if err := copyFile(exe, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("keep the running binary as %s: %w", prev, err)
		}
	}
	if err := os.Rename(tmp, prev); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keep the running binary as %s: %w", prev, err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, cerr := io.CopyBuffer(out, in, make([]byte, 32<<10))
	return errors.Join(cerr, out.Sync(), out.Close())
}
