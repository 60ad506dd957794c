package swap

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// Options says where the kernel's interfaces are. The zero value is the real system; tests point
// the roots at a fake tree.
type Options struct {
	SysBlock  string       // sysfs block devices; default /sys/block
	DevDir    string       // device nodes; default /dev
	ProcSys   string       // sysctls; default /proc/sys
	ProcSwaps string       // the active swap areas; default /proc/swaps
	Log       *slog.Logger // default: discard
}

func (o Options) withDefaults() Options {
	if o.SysBlock == "" {
		o.SysBlock = "/sys/block"
	}
	if o.DevDir == "" {
		o.DevDir = "/dev"
	}
	if o.ProcSys == "" {
		o.ProcSys = "/proc/sys"
	}
	if o.ProcSwaps == "" {
		o.ProcSwaps = "/proc/swaps"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// The priorities the firmware used: zram first, the SD card's file only when zram is full.
const (
	ZRAMPriority = 20
	FilePriority = 10
)

// Area is one swap area freecam turned on.
type Area struct {
	Path     string // /dev/zram0 or the swap file
	Priority int
	Bytes    int64
	ZRAM     bool // a zram device: Off also resets it, giving its memory back
	Created  bool // the swap file was (re)created by this Apply
}

// Result says what Apply did. Off takes it to undo exactly that.
type Result struct {
	On        []Area   // turned on by this Apply
	AlreadyOn []string // configured areas that were already active (left alone, and left on by Off)
}

// Active is one line of /proc/swaps.
type Active struct {
	Path     string
	Type     string // "partition" or "file"
	SizeKB   int64
	UsedKB   int64
	Priority int
}

// ReadSwaps parses /proc/swaps (path names have spaces as \040, as the kernel escapes them).
func ReadSwaps(path string) ([]Active, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Active
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first { // the "Filename Type Size Used Priority" title
			first = false
			continue
		}
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 {
			continue
		}
		a := Active{Path: unescape(fs[0]), Type: fs[1]}
		a.SizeKB, _ = strconv.ParseInt(fs[2], 10, 64)
		a.UsedKB, _ = strconv.ParseInt(fs[3], 10, 64)
		a.Priority, _ = strconv.Atoi(fs[4])
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// unescape undoes the kernel's octal escapes (\040 for a space) in /proc/swaps.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func findActive(list []Active, path string) (Active, bool) {
	for _, a := range list {
		if a.Path == path {
			return a, true
		}
	}
	return Active{}, false
}
