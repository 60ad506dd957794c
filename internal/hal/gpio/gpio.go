// Package gpio drives camera outputs through the Linux sysfs GPIO interface
// (/sys/class/gpio, the interface the Dafang firmware used): status LEDs,
// the IR LED and the bistable IR-cut filter, with the Dafang/Xiaofang pin
// map as a profile. The sysfs root is configurable so tests run against a
// fixture tree.
//
// Pins are exported, set to output and given their active_low exactly as
// the firmware's run.sh did. Nothing here starts a goroutine or logs.
package gpio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultRoot is the sysfs GPIO directory.
const DefaultRoot = "/sys/class/gpio"

// Chip is a sysfs GPIO tree.
type Chip struct {
	// Root is the sysfs directory; default DefaultRoot.
	Root string
	// ExportTimeout is how long to wait for gpioN to appear after an
	// export; default 1 s.
	ExportTimeout time.Duration

	// afterExport simulates the kernel in tests: it is called after N was
	// written to the export file.
	afterExport func(n int)
}

// Pin is one exported output pin.
type Pin struct {
	n   int
	dir string
}

// Output exports pin n if it is not exported yet, sets its direction to
// "out" unless it already is (rewriting it would drive the line low for a
// moment) and writes activeLow to active_low. It does not change the value.
func (c *Chip) Output(n int, activeLow bool) (*Pin, error) {
	root := c.Root
	if root == "" {
		root = DefaultRoot
	}
	p := &Pin{n: n, dir: filepath.Join(root, "gpio"+strconv.Itoa(n))}
	if _, err := os.Stat(p.dir); errors.Is(err, fs.ErrNotExist) {
		if err := writeAttr(filepath.Join(root, "export"), strconv.Itoa(n)); err != nil {
			return nil, fmt.Errorf("gpio: export %d: %w", n, err)
		}
		if c.afterExport != nil {
			c.afterExport(n)
		}
		if err := c.waitFor(p.dir); err != nil {
			return nil, fmt.Errorf("gpio: export %d: %w", n, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("gpio %d: %w", n, err)
	}
	if d, err := p.read("direction"); err != nil {
		return nil, err
	} else if d != "out" {
		if err := p.write("direction", "out"); err != nil {
			return nil, err
		}
	}
	al := "0"
	if activeLow {
		al = "1"
	}
	if err := p.write("active_low", al); err != nil {
		return nil, err
	}
	return p, nil
}

// waitFor polls for path (the kernel creates gpioN right after the export
// write; udev may take a moment to fix its permissions).
func (c *Chip) waitFor(path string) error {
	timeout := c.ExportTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	deadline := time.Now().Add(timeout)
	for {
		_, err := os.Stat(path)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) || time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// N is the pin number.
func (p *Pin) N() int { return p.n }

// Write writes 0 or 1 to the pin's value file (a logical value: the kernel
// inverts it when active_low is 1).
func (p *Pin) Write(v int) error {
	if v != 0 {
		v = 1
	}
	return p.write("value", strconv.Itoa(v))
}

// Read reads the pin's value file.
func (p *Pin) Read() (int, error) {
	s, err := p.read("value")
	if err != nil {
		return 0, err
	}
	switch s {
	case "0":
		return 0, nil
	case "1":
		return 1, nil
	}
	return 0, fmt.Errorf("gpio %d: value is %q, want 0 or 1", p.n, s)
}

func (p *Pin) read(attr string) (string, error) {
	b, err := os.ReadFile(filepath.Join(p.dir, attr))
	if err != nil {
		return "", fmt.Errorf("gpio %d: read %s: %w", p.n, attr, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (p *Pin) write(attr, v string) error {
	if err := writeAttr(filepath.Join(p.dir, attr), v); err != nil {
		return fmt.Errorf("gpio %d: write %s: %w", p.n, attr, err)
	}
	return nil
}

// writeAttr writes a sysfs attribute. It never creates the file: a missing
// attribute is an error, as it is in sysfs.
func writeAttr(path, v string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
