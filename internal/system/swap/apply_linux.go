package swap

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// swapon(2) flags: SWAP_FLAG_PREFER | (prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK, with
// SWAP_FLAG_PRIO_SHIFT = 0 (include/linux/swap.h).
const (
	swapFlagPrefer   = 0x8000
	swapFlagPrioMask = 0x7fff
)

// Apply turns on the swap areas cfg asks for, in the firmware's order: zram at priority 20 (with
// vm.swappiness 100), then the swap file at priority 10. An area that /proc/swaps already lists is
// left alone (Result.AlreadyOn). Both areas are tried; the error joins what failed, each naming the
// file or device and the call ("swapon /system/sdcard/swapfile: operation not permitted"), and
// Result lists what did come on. Apply blocks while it creates a swap file (ctx stops the zero
// fill) and is not safe to run concurrently with itself or Off.
func Apply(ctx context.Context, cfg Config, opts Options) (Result, error) {
	o := opts.withDefaults()
	var res Result
	if !cfg.ZRAM && !cfg.File {
		return res, nil
	}
	active, err := ReadSwaps(o.ProcSwaps)
	if err != nil {
		return res, fmt.Errorf("swap: %w", err)
	}
	var errs []error
	if cfg.ZRAM {
		dev := filepath.Join(o.DevDir, "zram0")
		if _, on := findActive(active, dev); on {
			res.AlreadyOn = append(res.AlreadyOn, dev)
		} else if err := o.zramOn(cfg.ZRAMSize); err != nil {
			errs = append(errs, fmt.Errorf("swap: zram: %w", err))
		} else {
			res.On = append(res.On, Area{Path: dev, Priority: ZRAMPriority, Bytes: cfg.ZRAMSize, ZRAM: true})
			o.Log.Info("swap on", "device", dev, "bytes", cfg.ZRAMSize, "priority", ZRAMPriority)
		}
		if err := o.writeSysctl("vm/swappiness", "100"); err != nil {
			errs = append(errs, fmt.Errorf("swap: %w", err))
		}
	}
	if cfg.File {
		if _, on := findActive(active, cfg.Path); on {
			res.AlreadyOn = append(res.AlreadyOn, cfg.Path)
		} else if created, err := o.fileOn(ctx, cfg.Path, cfg.FileBytes()); err != nil {
			errs = append(errs, fmt.Errorf("swap: file: %w", err))
		} else {
			res.On = append(res.On, Area{Path: cfg.Path, Priority: FilePriority, Bytes: cfg.FileBytes(), Created: created})
			o.Log.Info("swap on", "file", cfg.Path, "bytes", cfg.FileBytes(), "priority", FilePriority, "created", created)
		}
	}
	return res, errors.Join(errs...)
}

// Off turns off the areas Apply turned on (res.On, last first) and resets a zram device so its
// memory is freed. The swap file stays on the card for the next start. Areas that were already on
// before Apply are left on. swapoff blocks until the area's pages are back in RAM.
func Off(ctx context.Context, res Result, opts Options) error {
	o := opts.withDefaults()
	var errs []error
	for i := len(res.On) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		a := res.On[i]
		if err := swapoff(a.Path); err != nil {
			errs = append(errs, fmt.Errorf("swap: %w", err))
			continue
		}
		if a.ZRAM {
			if err := o.writeZRAM("reset", "1"); err != nil {
				errs = append(errs, fmt.Errorf("swap: %w", err))
			}
		}
		o.Log.Info("swap off", "path", a.Path)
	}
	return errors.Join(errs...)
}

// zramOn prepares zram0 and turns it on.
func (o Options) zramOn(size int64) error {
	if err := o.zramPrepare(size); err != nil {
		return err
	}
	dev := filepath.Join(o.DevDir, "zram0")
	if err := swapon(dev, ZRAMPriority); err != nil {
		_ = o.writeZRAM("reset", "1") // give the memory back
		return err
	}
	return nil
}

// zramPrepare sizes /sys/block/zram0 (resetting it first if it was set up: the kernel refuses a
// reset while the device is open, so a zram in use by anything is not taken over) and writes a
// swap signature onto the device.
func (o Options) zramPrepare(size int64) error {
	dir := filepath.Join(o.SysBlock, "zram0")
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s not found (the kernel has no zram module loaded?): %w", dir, err)
	}
	cur, err := os.ReadFile(filepath.Join(dir, "disksize"))
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(dir, "disksize"), err)
	}
	if n, _ := strconv.ParseInt(strings.TrimSpace(string(cur)), 10, 64); n != 0 {
		if err := o.writeZRAM("reset", "1"); err != nil {
			return fmt.Errorf("%w (zram0 is set up and in use by something else)", err)
		}
	}
	if err := o.writeZRAM("disksize", strconv.FormatInt(size, 10)); err != nil {
		return err
	}
	dev := filepath.Join(o.DevDir, "zram0")
	h, err := NewHeader(size, os.Getpagesize())
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dev, err)
	}
	if err := WriteHeader(f, h); err != nil {
		f.Close()
		return fmt.Errorf("write swap signature to %s: %w", dev, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", dev, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", dev, err)
	}
	return nil
}

func (o Options) writeZRAM(attr, value string) error {
	return writeAttr(filepath.Join(o.SysBlock, "zram0", attr), value)
}

func (o Options) writeSysctl(name, value string) error {
	return writeAttr(filepath.Join(o.ProcSys, name), value)
}

// writeAttr writes a sysfs/procfs attribute (one write, as echo does).
func writeAttr(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write([]byte(value + "\n"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// fileOn makes sure path is a swap file of size bytes (creating it if needed) and turns it on.
func (o Options) fileOn(ctx context.Context, path string, size int64) (created bool, err error) {
	created, err = EnsureFile(ctx, path, size)
	if err != nil {
		return false, err
	}
	return created, swapon(path, FilePriority)
}

// EnsureFile makes path a swap file of size bytes: kept when it already is one (right size, no
// holes, a swap signature for this machine's page size), otherwise (re)created with mode 0600,
// allocated for real (fallocate(2), or zeros written 64 KiB at a time where the filesystem cannot
// fallocate, such as FAT on old kernels: swapon refuses files with holes) and given a fresh
// signature. It refuses a path whose directory is missing (the SD card not mounted) and a
// filesystem with too little free space, and leaves no partial file behind on failure. created
// reports whether the file was written. It must not be called on an active swap file.
func EnsureFile(ctx context.Context, path string, size int64) (created bool, err error) {
	return ensureFile(ctx, path, size, true)
}

func ensureFile(ctx context.Context, path string, size int64, useFallocate bool) (bool, error) {
	page := os.Getpagesize()
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("%s: directory %s does not exist (the SD card is not mounted?)", path, dir)
		}
		return false, fmt.Errorf("%s: %w", path, err)
	} else if !st.IsDir() {
		return false, fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	if size < int64(minPages*page) {
		return false, fmt.Errorf("%s: %d bytes is too small for a swap file", path, size)
	}
	// A file being created goes to tmp and is renamed into place when whole: a power cut in the
	// middle leaves tmp, removed here, never a half-made file at path.
	tmp := path + ".freecam-new"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove %s: %w", tmp, err)
	}
	var reclaim int64 // what removing the old file frees
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return false, fmt.Errorf("%s: %w", path, err)
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("%s: exists and is not a regular file (%s); remove it or choose another SWAPPATH", path, fi.Mode().Type())
	default:
		st := fi.Sys().(*syscall.Stat_t)
		reclaim = int64(st.Blocks) * 512
		if fi.Size() == size && reclaim >= size && isSwapFile(path, size, page) {
			if fi.Mode().Perm() != 0o600 {
				if err := os.Chmod(path, 0o600); err != nil {
					return false, fmt.Errorf("chmod %s: %w", path, err)
				}
			}
			return false, nil
		}
		// Only a swap file (of another size) or an empty file is replaced: a SWAPPATH that
		// names anything else (a clip, the users file, a typo) must never destroy it.
		if fi.Size() > 0 && !hasSwapSignature(path, page) {
			return false, fmt.Errorf("%s: exists and is not a swap file; freecam never overwrites it: remove it or choose another SWAPPATH", path)
		}
	}
	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		return false, fmt.Errorf("statfs %s: %w", dir, err)
	}
	free := int64(sfs.Bavail) * int64(sfs.Bsize)
	if free+reclaim < size {
		return false, fmt.Errorf("%s: needs %d MB but only %d MB are free on %s; lower SWAPSIZE or free space", path, size>>20, (free+reclaim)>>20, dir)
	}
	if free < size && reclaim > 0 { // the old swap file's room is needed for the new one
		if err := os.Remove(path); err != nil {
			return false, fmt.Errorf("remove old %s: %w", path, err)
		}
	}
	if err := createFile(ctx, tmp, size, page, useFallocate); err != nil {
		_ = os.Remove(tmp)
		return false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return false, fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	return true, nil
}

// hasSwapSignature reports whether path starts with a Linux swap header, of any size.
func hasSwapSignature(path string, page int) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	_, ok, err := ReadHeader(f, page)
	return err == nil && ok
}

func isSwapFile(path string, size int64, page int) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	h, ok, err := ReadHeader(f, page)
	return err == nil && ok && int64(h.Pages) == min(size/int64(page), 1<<32-1)
}

func createFile(ctx context.Context, path string, size int64, page int, useFallocate bool) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close() // after the explicit Close below, a no-op
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	allocated := false
	if useFallocate {
		err := unix.Fallocate(int(f.Fd()), 0, 0, size)
		switch {
		case err == nil:
			allocated = true
		case errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS):
		default:
			return fmt.Errorf("fallocate %s: %w", path, err)
		}
	}
	if !allocated {
		if err := zeroFill(ctx, f, size); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	h, err := NewHeader(size, page)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := WriteHeader(f, h); err != nil {
		return fmt.Errorf("write swap signature to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// zeroFill writes size zero bytes from a 64 KiB buffer, checking ctx between writes.
func zeroFill(ctx context.Context, f *os.File, size int64) error {
	buf := make([]byte, 64<<10)
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		w, err := f.WriteAt(buf[:n], off)
		if err != nil {
			return err
		}
		off += int64(w)
	}
	return nil
}

func swapon(path string, prio int) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return fmt.Errorf("swapon %s: %w", path, err)
	}
	flags := swapFlagPrefer | prio&swapFlagPrioMask
	if _, _, e := unix.Syscall(unix.SYS_SWAPON, uintptr(unsafe.Pointer(p)), uintptr(flags), 0); e != 0 {
		return fmt.Errorf("swapon %s: %w", path, e)
	}
	return nil
}

func swapoff(path string) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return fmt.Errorf("swapoff %s: %w", path, err)
	}
	if _, _, e := unix.Syscall(unix.SYS_SWAPOFF, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return fmt.Errorf("swapoff %s: %w", path, e)
	}
	return nil
}
