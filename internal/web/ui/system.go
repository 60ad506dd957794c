package ui

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/settings"
)

// The firmware's one-value files (a bare value, not KEY=value).
const (
	hostnameFile = "hostname.conf"
	timezoneFile = "timezone.conf"
	ntpFile      = "ntp_srv.conf"
)

type systemData struct {
	Status   camera.Status
	Version  string
	Uptime   string
	Accounts []auth.Account
	Me       string
	Hostname string // hostname.conf
	Timezone string // timezone.conf
	NTP      string // ntp_srv.conf
	Settings settingsData
}

func (u *UI) system(w http.ResponseWriter, r *http.Request) {
	secs := settings.Page("system")
	u.renderSystem(w, r, http.StatusOK, "", u.settingsView("system", secs, settings.Values(u.cam.ConfigDir(), secs), nil))
}

func (u *UI) renderSystem(w http.ResponseWriter, r *http.Request, status int, problem string, form settingsData) {
	v := u.newView(r, "System")
	v.Flash = flashFor(r)
	v.Error = problem
	form.CSRF = v.CSRF
	st := u.cam.Status()
	dir := u.cam.ConfigDir()
	d := systemData{
		Status: st, Version: u.versionString(), Accounts: u.auth.Users(), Me: v.User.Name,
		Hostname: readValue(dir, hostnameFile), Timezone: readValue(dir, timezoneFile), NTP: readValue(dir, ntpFile),
		Settings: form,
	}
	if !st.Started.IsZero() {
		d.Uptime = time.Since(st.Started).Round(time.Second).String()
	}
	v.Data = d
	v.Script = "system.js"
	u.render(w, status, "system", v)
}

// readValue returns the first line of a one-value file, "" when it does not exist.
func readValue(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// systemHost saves hostname.conf, timezone.conf and ntp_srv.conf, each checked first; nothing is
// written when one is refused.
func (u *UI) systemHost(w http.ResponseWriter, r *http.Request) {
	vals := []struct{ file, value, what string }{
		{hostnameFile, strings.TrimSpace(r.PostFormValue("hostname")), "host name"},
		{timezoneFile, strings.TrimSpace(r.PostFormValue("timezone")), "time zone"},
		{ntpFile, strings.TrimSpace(r.PostFormValue("ntp")), "NTP server"},
	}
	checks := []func(string) bool{conf.ValidHostname, conf.ValidTimezone, conf.ValidServer}
	for i, v := range vals {
		if v.value != "" && !checks[i](v.value) {
			u.systemError(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("Nothing was saved: %q is not a valid %s", v.value, v.what))
			return
		}
	}
	dir := u.cam.ConfigDir()
	for _, v := range vals {
		if v.value == readValue(dir, v.file) {
			continue
		}
		if err := shellconf.WriteFileAtomic(filepath.Join(dir, v.file), []byte(v.value+"\n"), 0o644); err != nil {
			u.systemError(w, r, http.StatusInternalServerError, fmt.Sprintf("write %s: %v", v.file, err))
			return
		}
	}
	back(w, r, "/system", "host")
}

func (u *UI) systemError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	secs := settings.Page("system")
	u.renderSystem(w, r, status, msg, u.settingsView("system", secs, settings.Values(u.cam.ConfigDir(), secs), nil))
}

func (u *UI) account(name string) (auth.Account, bool) {
	for _, a := range u.auth.Users() {
		if a.Name == name {
			return a, true
		}
	}
	return auth.Account{}, false
}

func (u *UI) addUser(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		u.systemError(w, r, http.StatusUnprocessableEntity, "The new account needs a name.")
		return
	}
	if _, exists := u.account(name); exists {
		u.systemError(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("An account %q exists already: change its password instead.", name))
		return
	}
	if err := u.auth.SetPassword(name, auth.Viewer, r.PostFormValue("password"), r.PostFormValue("digest") != ""); err != nil {
		u.systemError(w, r, http.StatusUnprocessableEntity, "Account not added: "+err.Error())
		return
	}
	back(w, r, "/system", "user")
}

func (u *UI) userPassword(w http.ResponseWriter, r *http.Request) {
	a, ok := u.account(r.PathValue("name"))
	if !ok {
		u.systemError(w, r, http.StatusNotFound, "No such account.")
		return
	}
	if err := u.auth.SetPassword(a.Name, a.Role, r.PostFormValue("password"), r.PostFormValue("digest") != ""); err != nil {
		u.systemError(w, r, http.StatusUnprocessableEntity, "Password not changed: "+err.Error())
		return
	}
	back(w, r, "/system", "password")
}

func (u *UI) deleteUser(w http.ResponseWriter, r *http.Request) {
	a, ok := u.account(r.PathValue("name"))
	if !ok {
		u.systemError(w, r, http.StatusNotFound, "No such account.")
		return
	}
	if err := u.auth.DeleteUser(a.Name); err != nil {
		u.systemError(w, r, http.StatusUnprocessableEntity, "Account not deleted: "+err.Error())
		return
	}
	back(w, r, "/system", "deleted")
}

// restart asks the camera to restart and answers with a page that goes back to /live once it
// is up again (restart.js).
func (u *UI) restart(w http.ResponseWriter, r *http.Request) {
	u.cam.Restart()
	v := u.newView(r, "Restarting")
	v.Script = "restart.js"
	u.render(w, http.StatusOK, "restarting", v)
}
