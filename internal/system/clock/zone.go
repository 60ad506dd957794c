// Package clock keeps the camera's time the way the firmware did: timezone.conf names the time
// zone (for the OSD, file names and logs), ntp_srv.conf names one NTP server, and a small NTP
// client (Syncer) steps the system clock when it is off — unless another NTP daemon already
// disciplines the kernel clock (Managed). It reads and sets time only through the functions it is
// given (Options.SetClock); nothing here changes the host's clock by itself.
package clock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	// The zone database in the binary: the cameras have no /usr/share/zoneinfo, and a zone
	// name is only valid if it loads.
	_ "time/tzdata"
)

// The firmware's one-value files, in the config directory.
const (
	ZoneFile   = "timezone.conf"
	ServerFile = "ntp_srv.conf"
)

// DefaultServer is ntp_srv.conf.dist's server.
const DefaultServer = "time.google.com"

// LoadZone reads timezone.conf in configDir: a tz database name such as Europe/London, loaded with
// time.LoadLocation (the binary embeds time/tzdata, so this works without /usr/share/zoneinfo). A
// missing or empty file gives "" and time.Local. Errors name the file; loc is then time.Local, so
// the caller can log and carry on.
func LoadZone(configDir string) (name string, loc *time.Location, err error) {
	name, err = readOne(configDir, ZoneFile)
	if err != nil || name == "" {
		return "", time.Local, err
	}
	if !conf.ValidTimezone(name) {
		return "", time.Local, fmt.Errorf("%s: %q is not a time zone name such as Europe/London", ZoneFile, name)
	}
	loc, err = time.LoadLocation(name)
	if err != nil {
		return "", time.Local, fmt.Errorf("%s: unknown time zone %q (want a name such as Europe/London)", ZoneFile, name)
	}
	return name, loc, nil
}

// ValidZone reports whether name is a time zone name that loads, such as Europe/London (not
// merely one shaped like it: Mars/Olympus is refused).
func ValidZone(name string) bool {
	if !conf.ValidTimezone(name) {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// LoadServer reads ntp_srv.conf in configDir: one host name or address. A missing or empty file
// gives DefaultServer (the firmware's). Errors name the file; server is then DefaultServer.
func LoadServer(configDir string) (server string, err error) {
	s, err := readOne(configDir, ServerFile)
	if err != nil || s == "" {
		return DefaultServer, err
	}
	if !conf.ValidServer(s) {
		return DefaultServer, fmt.Errorf("%s: %q is not a host name or IP address", ServerFile, s)
	}
	return s, nil
}

// readOne reads a one-value file: its first non-blank line, trimmed. A missing file is "".
func readOne(dir, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: cannot read: %w", file, err)
	}
	if len(b) > 4096 {
		return "", fmt.Errorf("%s: %d bytes, want one short value", file, len(b))
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l, nil
		}
	}
	return "", nil
}
