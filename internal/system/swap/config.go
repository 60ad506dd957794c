// Package swap turns on the swap areas of the firmware's swap.conf: a zram device (compressed swap
// in RAM, on by default: the 64 MB cameras run out of memory without it) and optionally a swap file
// on the SD card. It reads swap.conf, prepares the zram device through sysfs, creates and
// formats the swap file in Go (no mkswap), calls swapon(2) and swapoff(2), and nothing else: it
// never touches a swap area it did not turn on, and it does not decide whether it should run (the
// system service does, only as root on a camera).
package swap

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// File is the firmware's swap configuration, in the config directory.
const File = "swap.conf"

// Config is swap.conf. The zero value turns nothing on; Default is the firmware's swap.conf.dist.
type Config struct {
	// ZRAM is SWAP_ZRAM: swap on /dev/zram0 at priority 20 (and vm.swappiness 100).
	// Default true.
	ZRAM bool
	// ZRAMSize is SWAP_ZRAM_SIZE, the zram device's (uncompressed) size in bytes. Default
	// 16777216 (16 MiB).
	ZRAMSize int64
	// File is SWAP: swap on the file Path at priority 10. Default false.
	File bool
	// Path is SWAPPATH. Default /system/sdcard/swapfile.
	Path string
	// SizeMB is SWAPSIZE, the swap file's size in MiB. Default 256.
	SizeMB int
}

// Default returns the firmware's swap.conf.dist.
func Default() Config {
	return Config{ZRAM: true, ZRAMSize: 16 << 20, Path: "/system/sdcard/swapfile", SizeMB: 256}
}

// Limits of the values Load accepts.
const (
	minZRAMSize = 1 << 20 // 1 MiB
	maxZRAMSize = 1 << 30 // 1 GiB: many times a camera's RAM already
	maxSizeMB   = 4095    // FAT32's largest file is 4 GiB - 1
)

// FileBytes is the swap file's size in bytes.
func (c Config) FileBytes() int64 { return int64(c.SizeMB) << 20 }

// Load reads swap.conf from configDir. A missing file gives Default (the firmware started zram
// without a swap.conf too). Errors are shellconf.Issues naming file, line and key, such as
// `swap.conf:9: SWAPSIZE: must be a whole number of MB (got "x")`, joined when there are several;
// the returned Config then holds the defaults for the keys in error.
func Load(configDir string) (Config, error) {
	c := Default()
	doc, err := shellconf.ReadFile(filepath.Join(configDir, File))
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		var is shellconf.Issue
		if errors.As(err, &is) {
			return c, is
		}
		return c, fmt.Errorf("%s: cannot read: %w", File, err)
	}
	var errs []error
	for _, k := range keys() {
		v, line, found, err := doc.Static(k.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v = strings.TrimSpace(v)
		if !found || v == "" { // empty means the default, as in internal/conf
			continue
		}
		if err := k.set(&c, v); err != nil {
			errs = append(errs, shellconf.Issue{File: File, Line: line, Key: k.name, Message: err.Error()})
		}
	}
	return c, errors.Join(errs...)
}

// Check checks one swap.conf value as Load does (the firmware-config import uses it), and
// refuses a key swap.conf does not have.
func Check(key, value string) error {
	for _, k := range keys() {
		if k.name == key {
			var c Config
			return k.set(&c, strings.TrimSpace(value))
		}
	}
	return fmt.Errorf("not a key of %s", File)
}

// IsKey reports whether key is one of swap.conf's.
func IsKey(key string) bool {
	for _, k := range keys() {
		if k.name == key {
			return true
		}
	}
	return false
}

// key is one swap.conf key: set checks a value and stores it.
type key struct {
	name string
	set  func(c *Config, v string) error
}

func keys() []key {
	boolean := func(dst func(*Config) *bool) func(*Config, string) error {
		return func(c *Config, s string) error {
			b, ok := parseBool(s)
			if !ok {
				return fmt.Errorf("must be true or false (got %q)", s)
			}
			*dst(c) = b
			return nil
		}
	}
	return []key{
		{"SWAP_ZRAM", boolean(func(c *Config) *bool { return &c.ZRAM })},
		{"SWAP", boolean(func(c *Config) *bool { return &c.File })},
		{"SWAP_ZRAM_SIZE", func(c *Config, s string) error {
			n, err := strconv.ParseInt(s, 10, 64)
			switch {
			case err != nil:
				return fmt.Errorf("must be a whole number of bytes (got %q)", s)
			case n < minZRAMSize || n > maxZRAMSize:
				return fmt.Errorf("must be between %d and %d bytes (got %q)", minZRAMSize, maxZRAMSize, s)
			}
			c.ZRAMSize = n
			return nil
		}},
		{"SWAPPATH", func(c *Config, s string) error {
			if !filepath.IsAbs(s) || filepath.Clean(s) != s || s == "/" {
				return fmt.Errorf("must be an absolute file path such as /system/sdcard/swapfile (got %q)", s)
			}
			c.Path = s
			return nil
		}},
		{"SWAPSIZE", func(c *Config, s string) error {
			n, err := strconv.Atoi(s)
			switch {
			case err != nil:
				return fmt.Errorf("must be a whole number of MB (got %q)", s)
			case n < 1 || n > maxSizeMB:
				return fmt.Errorf("must be between 1 and %d MB (got %q)", maxSizeMB, s)
			}
			c.SizeMB = n
			return nil
		}},
	}
}

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0":
		return false, true
	}
	return false, false
}
