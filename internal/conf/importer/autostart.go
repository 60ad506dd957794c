package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/service"
)

// AutostartDir is the firmware's and freecam's autorun directory: service x starts at boot when
// autostart/x exists.
const AutostartDir = "autostart"

// freecamServices are the services freecam has (internal/app registers them; the firmware's
// names are mapped by service.Canonical).
func freecamServices() []string {
	return []string{"auto-night", "mdns", "motion", "mqtt", "onvif", "recording", "rtsp", "system", "telegram-bot", "timelapse"}
}

// firmwareOnly are the firmware's services freecam does not have, with the reason.
func firmwareOnly() map[string]string {
	return map[string]string{
		"dropbear":         "freecam has no SSH server",
		"lighttpd":         "freecam serves its web pages itself, always",
		"ftp-server":       "freecam has no FTP server",
		"debug-on-osd":     "freecam has no debug-on-OSD service",
		"sound-on-startup": "freecam plays no start-up sound",
		"telnet-server":    "freecam never starts a telnet server",
	}
}

// autostartMarker is what freecam writes in an autostart file; only its existence counts.
const autostartMarker = "# freecam autostart marker: this service starts at boot because this file exists.\n" +
	"# freecam never executes this file; delete it (or turn autostart off in the UI) to disable.\n"

// autostart maps the firmware's autostart/ files to freecam's service names. It returns the
// freecam services to turn on. An import only adds services: one the firmware did not start
// stays as freecam has it.
//
// A service that already starts at boot in dst is reported as so, not as applied.
func autostart(src, dst string, rep *Report) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(src, AutostartDir))
	if err != nil {
		return nil, err
	}
	var on []string
	for _, e := range entries {
		name := path(AutostartDir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
			rep.ignore(Entry{File: name, Reason: "a hidden file"})
			continue
		case !e.Type().IsRegular():
			rep.ignore(Entry{File: name, Reason: "not a plain file"})
			continue
		}
		c := service.Canonical(e.Name())
		if !slices.Contains(freecamServices(), c) {
			why, ok := firmwareOnly()[e.Name()]
			if !ok {
				why = "freecam has no service of that name"
			}
			rep.ignore(Entry{File: name, Reason: why})
			continue
		}
		reason := "freecam's " + c + " service starts at boot"
		if c != e.Name() {
			reason += " (the firmware's " + e.Name() + ")"
		}
		if hasAutostart(filepath.Join(dst, AutostartDir), c) {
			rep.ignore(Entry{File: name, Reason: "already so: freecam's " + c + " service starts at boot"})
		} else {
			rep.apply(Entry{File: name, Reason: reason})
		}
		if !slices.Contains(on, c) {
			on = append(on, c)
		}
	}
	slices.Sort(on)
	return on, nil
}

// autostartWrites returns the autostart files to write in dst so that every service of on
// starts at boot. When dst has no autostart directory yet, freecam's default set is written
// with them (otherwise creating the directory would turn the defaults off).
func autostartWrites(dst string, on []string) []string {
	if len(on) == 0 {
		return nil
	}
	dir := filepath.Join(dst, AutostartDir)
	want := on
	if _, err := os.Stat(dir); err != nil {
		want = append(slices.Clone(service.DefaultAutostart()), on...)
		slices.Sort(want)
		want = slices.Compact(want)
	}
	var files []string
	for _, s := range want {
		if hasAutostart(dir, s) {
			continue
		}
		files = append(files, path(AutostartDir, s))
	}
	return files
}

// addedDefaults reports the autostart files of files that the source did not ask for: freecam's
// default services, written with the imported ones when dst has no autostart directory yet.
func addedDefaults(files, on []string, rep *Report) {
	for _, f := range files {
		s := strings.TrimPrefix(f, AutostartDir+"/")
		if slices.Contains(on, s) {
			continue
		}
		rep.add(Entry{File: f, Reason: "not on the card: freecam's " + s + " service is on by default, and " +
			AutostartDir + "/ is created by this import, so its default services are written with the imported ones " +
			"(delete the file, or turn autostart off on the System page, to keep it off)"})
	}
}

// hasAutostart reports whether s already starts at boot through its own file or a firmware alias.
func hasAutostart(dir, s string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && service.Canonical(e.Name()) == s {
			return true
		}
	}
	return false
}

func path(dir, name string) string { return dir + "/" + name }
