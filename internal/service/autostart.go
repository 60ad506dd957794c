package service

import (
	"errors"
	"fmt"
	"github.com/freecam/freecam/internal/fsutil"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// Autorun works like the firmware's: service x starts at boot when the file
// <config>/autostart/<x> exists. The firmware's files were two-line shell scripts calling the
// controlscript; freecam only looks at whether they exist and never executes or rewrites them.
// The files freecam writes hold a comment saying so.
//
// The firmware's service names map to freecam's, so an SD card keeps its autorun state:
//
//	firmware file                  freecam service
//	rtsp, rtsp-h264, rtsp-mjpeg    rtsp   (rtsp-h264/-mjpeg: before the 2020 merge into CODEC=)
//	auto-night-detection           auto-night
//	mqtt-control, mqtt-status      mqtt
//	onvif-srvd                     onvif
//	mdns-responder                 mdns
//	recording                      recording
//	timelapse                      timelapse
//	(none)                         motion (the firmware configured motion inside rtsp)
//
// Files of firmware services freecam does not have (dropbear, lighttpd,
// ftp-server, telegram-bot, debug-on-osd, sound-on-startup, telnet-server) are left alone and
// ignored. Turning a service off removes its file and every firmware alias of it.
//
// A service named in ManagerOptions.OnUnlessOff (freecam's system settings on a camera, which the
// firmware applied at every boot without an autostart file) is on unless the file <name>.off
// exists; turning it off writes that file, turning it on removes it.
//
// When the autostart directory does not exist (first start), it is created with the firmware's
// shipped set mapped to freecam, rtsp, auto-night and mdns, plus onvif (the firmware also shipped
// dropbear and lighttpd, which freecam does not have as services). Until it is created
// (by StartAutostart or SetAutostart), that set is what Autostart and List report.

// aliasTable lists the firmware's autostart file names with freecam's service name for each.
func aliasTable() [][2]string {
	return [][2]string{
		{"rtsp-h264", "rtsp"},
		{"rtsp-mjpeg", "rtsp"},
		{"auto-night-detection", "auto-night"},
		{"mqtt-control", "mqtt"},
		{"mqtt-status", "mqtt"},
		{"onvif-srvd", "onvif"},
		{"mdns-responder", "mdns"},
	}
}

// DefaultAutostart is the autorun set written when the autostart directory does not exist yet.
// ONVIF is in it so that an NVR finds a new camera with no set-up; it answers nothing without
// an account that allows digest logins. mdns makes https://<hostname>.local/ reach the camera.
func DefaultAutostart() []string { return []string{"rtsp", "auto-night", "onvif", "mdns"} }

// Canonical returns freecam's name for a service name, resolving the firmware's names
// ("auto-night-detection" → "auto-night"); other names are returned unchanged.
func Canonical(name string) string {
	for _, a := range aliasTable() {
		if a[0] == name {
			return a[1]
		}
	}
	return name
}

// fileNames returns the autostart file names that turn name on: its own and its aliases, sorted.
func fileNames(name string) []string {
	names := []string{name}
	for _, a := range aliasTable() {
		if a[1] == name {
			names = append(names, a[0])
		}
	}
	slices.Sort(names[1:])
	return names
}

// marker is the content of the autostart files freecam writes.
const marker = "# freecam autostart marker: this service starts at boot because this file exists.\n" +
	"# freecam never executes this file; delete it (or turn autostart off in the UI) to disable.\n"

// offMarkerText is the content of <name>.off for a service that is on unless turned off.
const offMarkerText = "# freecam autostart marker: this service does NOT start at boot because this file exists.\n" +
	"# Delete it (or turn autostart on in the UI) to enable it again.\n"

// autostartDir is the autorun state on disk.
type autostartDir struct {
	path     string   // <config>/autostart
	defaults []string // written when path does not exist
	// onUnlessOff are on when the directory holds neither their file nor <name>.off.
	onUnlessOff []string
}

// offSuffix marks a service of ManagerOptions.OnUnlessOff that the user turned off.
const offSuffix = ".off"

// enabled reads which canonical names have an autostart file. A missing directory reports the
// defaults; exists says whether it exists.
func (d autostartDir) enabled() (on map[string]bool, exists bool, err error) {
	entries, err := os.ReadDir(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		on = make(map[string]bool, len(d.defaults)+len(d.onUnlessOff))
		for _, n := range append(slices.Clone(d.defaults), d.onUnlessOff...) {
			on[n] = true
		}
		return on, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("autostart: %w", err)
	}
	on = make(map[string]bool, len(entries))
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || e.IsDir() {
			continue // our temporary files, hidden files, stray directories
		}
		on[Canonical(n)] = true
	}
	for _, n := range d.onUnlessOff {
		if on[n+offSuffix] {
			delete(on, n+offSuffix)
		} else {
			on[n] = true
		}
	}
	return on, true, nil
}

// ensure creates the directory with the default set if it does not exist. The directory is
// filled under a temporary name and renamed into place, so a crash never leaves a half-seeded
// directory that would later count as the user's choice.
func (d autostartDir) ensure() (created bool, err error) {
	if _, err := os.Stat(d.path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("autostart: %w", err)
	}
	parent := filepath.Dir(d.path)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("autostart: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".autostart.tmp-*")
	if err != nil {
		return false, fmt.Errorf("autostart: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, fmt.Errorf("autostart: %w", err)
	}
	for _, n := range d.defaults {
		if err := shellconf.WriteFileAtomic(filepath.Join(tmp, n), []byte(marker), 0o644); err != nil {
			return false, fmt.Errorf("autostart: %w", err)
		}
	}
	if err := os.Rename(tmp, d.path); err != nil {
		if _, serr := os.Stat(d.path); serr == nil {
			return false, nil // created concurrently (another freecam): theirs stands
		}
		return false, fmt.Errorf("autostart: %w", err)
	}
	return true, fsutil.SyncDir(parent)
}

// set turns name (canonical) on or off.
func (d autostartDir) set(name string, on bool) error {
	if _, err := d.ensure(); err != nil {
		return err
	}
	files := fileNames(name)
	offMarker := ""
	if slices.Contains(d.onUnlessOff, name) {
		offMarker = filepath.Join(d.path, name+offSuffix)
	}
	if on {
		if offMarker != "" {
			if err := os.Remove(offMarker); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("autostart: %w", err)
			}
		}
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(d.path, f)); err == nil {
				return nil // already on (perhaps through the firmware's file): leave it as it is
			}
		}
		if err := shellconf.WriteFileAtomic(filepath.Join(d.path, name), []byte(marker), 0o644); err != nil {
			return fmt.Errorf("autostart: %w", err)
		}
		return nil
	}
	for _, f := range files {
		if err := os.Remove(filepath.Join(d.path, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("autostart: %w", err)
		}
	}
	if offMarker != "" {
		if err := shellconf.WriteFileAtomic(offMarker, []byte(offMarkerText), 0o644); err != nil {
			return fmt.Errorf("autostart: %w", err)
		}
	}
	return fsutil.SyncDir(d.path)
}
