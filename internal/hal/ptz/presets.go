// Package ptz keeps the named pan/tilt positions of ptz_presets.conf, a
// JSON file in the firmware ({"presets": {"home": {"x": 1400, "y": 350},
// …}}), in the motor's own frame (not mirrored by flip). Presets are used
// by the UI, MQTT and later ONVIF.
package ptz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/hal"
)

// File is the presets file name in the config directory.
const File = "ptz_presets.conf"

// Preset is a named position.
type Preset struct {
	Name string `json:"name"`
	hal.Position
}

// ErrNotFound is returned for an unknown preset name.
var ErrNotFound = errors.New("no such preset")

// Presets is the content of one presets file. It is goroutine-safe.
type Presets struct {
	path   string
	limits hal.Position

	mu      sync.Mutex
	presets map[string]hal.Position
}

type fileFormat struct {
	Presets map[string]hal.Position `json:"presets"`
}

// Load reads path. A missing file gives no presets. Positions outside
// limits (0,0 to limits) do not stop the load — the firmware's own dist
// file has "right" at x 2800, past its MAX_X of 2600 — they are returned
// as warnings and clamped when gone to; errors (bad JSON, a preset that
// is not an {"x": N, "y": N} object of whole numbers) name the file.
func Load(path string, limits hal.Position) (*Presets, []error, error) {
	p := &Presets{path: path, limits: limits, presets: make(map[string]hal.Position)}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	var raw struct {
		Presets map[string]json.RawMessage `json:"presets"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("%s: %s", filepath.Base(path), jsonError(data, err))
	}
	var warns []error
	for _, name := range slices.Sorted(maps.Keys(raw.Presets)) {
		var pos struct{ X, Y *int }
		dec := json.NewDecoder(bytes.NewReader(raw.Presets[name]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&pos); err != nil || pos.X == nil || pos.Y == nil {
			return nil, nil, fmt.Errorf("%s: preset %q: must be {\"x\": steps, \"y\": steps} with whole numbers (got %s)", filepath.Base(path), name, raw.Presets[name])
		}
		q := hal.Position{X: *pos.X, Y: *pos.Y}
		if err := p.check(name, q); err != nil {
			warns = append(warns, fmt.Errorf("%s: %w; going there stops at the limit", filepath.Base(path), err))
		}
		p.presets[name] = q
	}
	return p, warns, nil
}

// jsonError adds the line of a syntax error.
func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: not valid JSON: %v", line, err)
	}
	return fmt.Sprintf("not valid presets JSON: %v", err)
}

func (p *Presets) check(name string, q hal.Position) error {
	if q.X < 0 || q.Y < 0 || q.X > p.limits.X || q.Y > p.limits.Y {
		return fmt.Errorf("preset %q: position x %d, y %d is outside 0–%d, 0–%d", name, q.X, q.Y, p.limits.X, p.limits.Y)
	}
	return nil
}

// List returns the presets sorted by name.
func (p *Presets) List() []Preset {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Preset, 0, len(p.presets))
	for name, pos := range p.presets {
		out = append(out, Preset{Name: name, Position: pos})
	}
	slices.SortFunc(out, func(a, b Preset) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Get returns the position of name.
func (p *Presets) Get(name string) (hal.Position, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pos, ok := p.presets[name]
	if !ok {
		return hal.Position{}, fmt.Errorf("ptz: preset %q: %w", name, ErrNotFound)
	}
	return pos, nil
}

// NameRule says what a preset name may be, for error messages.
const NameRule = "1 to 64 letters, digits, spaces, _ . or -, not starting or ending with a space"

// Set adds or replaces name in memory (Save writes it). Names follow NameRule: NVRs let users
// type "Front door" or "Entrée" (the firmware's own scripts, which looked names up with jq
// ".presets.NAME", only managed identifiers); positions must be within the limits.
func (p *Presets) Set(name string, pos hal.Position) error {
	if !validName(name) {
		return fmt.Errorf("ptz: preset name %.64q: use %s", name, NameRule)
	}
	if err := p.check(name, pos); err != nil {
		return fmt.Errorf("ptz: %w", err)
	}
	p.mu.Lock()
	p.presets[name] = pos
	p.mu.Unlock()
	return nil
}

func validName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 || !utf8.ValidString(s) || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || c == ' ' || unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c)) {
			return false
		}
	}
	return true
}

// Remove deletes name in memory.
func (p *Presets) Remove(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.presets[name]; !ok {
		return fmt.Errorf("ptz: preset %q: %w", name, ErrNotFound)
	}
	delete(p.presets, name)
	return nil
}

// Save writes the file atomically (temporary file, sync, rename) in the
// firmware's shape.
func (p *Presets) Save() error {
	p.mu.Lock()
	data, err := json.MarshalIndent(fileFormat{Presets: p.presets}, "", "  ")
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("ptz: %w", err)
	}
	if err := shellconf.WriteFileAtomic(p.path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("ptz: save %s: %w", filepath.Base(p.path), err)
	}
	return nil
}

// GoTo moves m to the preset name (clamped to the motor's limits).
func (p *Presets) GoTo(ctx context.Context, m hal.Motor, name string) (hal.Move, error) {
	pos, err := p.Get(name)
	if err != nil {
		return hal.Move{}, err
	}
	return m.MoveTo(ctx, pos)
}
