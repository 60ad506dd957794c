package motor

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/hal"
)

// PositionFile is the firmware's file for the saved motor origin, in the
// config directory.
const PositionFile = "cameraposition"

// ReadPositionFile reads a cameraposition file: the output of the
// firmware's `motor -d s`, lines "x: N" and "y: N" (other lines, such as
// "speed: N", are ignored). Both x and y are required.
func ReadPositionFile(path string) (hal.Position, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return hal.Position{}, fmt.Errorf("motor: read position: %w", err)
	}
	var p hal.Position
	var haveX, haveY bool
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if k != "x" && k != "y" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return hal.Position{}, fmt.Errorf("motor: %s:%d: %s must be a whole number of steps (got %q)", path, line, k, strings.TrimSpace(v))
		}
		if k == "x" {
			p.X, haveX = n, true
		} else {
			p.Y, haveY = n, true
		}
	}
	if !haveX || !haveY {
		return hal.Position{}, fmt.Errorf("motor: %s: needs both an \"x: N\" and a \"y: N\" line", path)
	}
	return p, nil
}

// WritePositionFile writes p as "x: N" and "y: N" lines, atomically.
func WritePositionFile(path string, p hal.Position) error {
	data := fmt.Appendf(nil, "x: %d\ny: %d\n", p.X, p.Y)
	if err := shellconf.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("motor: write position: %w", err)
	}
	return nil
}
