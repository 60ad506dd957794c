package update

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/freecam/freecam/internal/fsutil"
)

// Pending is the content of <bin>.pending: an installed binary that has not confirmed yet.
type Pending struct {
	Version         string    `json:"version"`
	PreviousVersion string    `json:"previous_version"`
	Applied         time.Time `json:"applied"`
	TimeoutSeconds  float64   `json:"timeout_seconds"`
	MaxStarts       int       `json:"max_starts"`
	Starts          int       `json:"starts"`               // starts of the new binary so far
	FirstStart      time.Time `json:"first_start,omitzero"` // the deadline runs from here
}

// Deadline is when an unconfirmed binary is rolled back (zero before its first start).
func (p Pending) Deadline() time.Time {
	if p.FirstStart.IsZero() {
		return time.Time{}
	}
	return p.FirstStart.Add(time.Duration(p.TimeoutSeconds * float64(time.Second)))
}

// Rollback is the content of <bin>.rollback: the last update that was undone, and why.
type Rollback struct {
	Version         string    `json:"version"`          // the version that was removed
	RestoredVersion string    `json:"restored_version"` // the version put back
	At              time.Time `json:"at"`
	Reason          string    `json:"reason"`
}

// Status is what the files next to a binary say, for the UI and the Home Assistant entity.
type Status struct {
	Pending      *Pending  // an update waiting for its health confirmation, or nil
	LastRollback *Rollback // the last rolled-back update, or nil
	HasPrevious  bool      // <bin>.previous exists (Rollback can restore it)
}

// ReadStatus reads the update state next to the binary exe ("" = the running binary).
func ReadStatus(exe string) (Status, error) {
	exe, err := Options{Executable: exe}.executable()
	if err != nil {
		return Status{}, err
	}
	var s Status
	var p Pending
	if ok, err := readJSON(exe+".pending", &p); err != nil {
		return s, err
	} else if ok {
		s.Pending = &p
	}
	var r Rollback
	if ok, err := readJSON(exe+".rollback", &r); err != nil {
		return s, err
	} else if ok {
		s.LastRollback = &r
	}
	_, err = os.Stat(exe + ".previous")
	s.HasPrevious = err == nil
	return s, nil
}

func readJSON(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o644)
}
