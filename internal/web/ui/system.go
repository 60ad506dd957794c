package ui

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/system/clock"
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
	Net      netView
}

func (u *UI) system(w http.ResponseWriter, r *http.Request) {
	secs := settings.Page("system")
	u.renderSystem(w, r, http.StatusOK, "", u.settingsView("system", secs, settings.Values(u.cam.ConfigDir(), secs), nil))
}

func (u *UI) renderSystem(w http.ResponseWriter, r *http.Request, status int, problem string, form settingsData) {
	u.renderSystemForms(w, r, status, problem, form, netForm{})
}

// renderSystemWith is the System page with the files' settings and, after a refused network
// form, what it showed.
func (u *UI) renderSystemWith(w http.ResponseWriter, r *http.Request, status int, problem string, prev netForm) {
	secs := settings.Page("system")
	u.renderSystemForms(w, r, status, problem, u.settingsView("system", secs, settings.Values(u.cam.ConfigDir(), secs), nil), prev)
}

func (u *UI) renderSystemForms(w http.ResponseWriter, r *http.Request, status int, problem string, form settingsData, prev netForm) {
	v := u.newView(r, "System")
	v.Flash = flashFor(r)
	v.Error = problem
	form.CSRF = v.CSRF
	st := u.cam.Status()
	dir := u.cam.ConfigDir()
	d := systemData{
		Status: st, Version: u.versionString(), Accounts: u.auth.Users(), Me: v.User.Name,
		Hostname: readValue(dir, hostnameFile), Timezone: readValue(dir, timezoneFile), NTP: readValue(dir, ntpFile),
		Settings: form, Net: u.netView(prev),
	}
	if !st.Started.IsZero() {
		d.Uptime = time.Since(st.Started).Round(time.Second).String()
	}
	v.Data = d
	// restart.js first: system.js hands the page to it when freecam restarts into an update.
	v.Scripts = []string{"restart.js", "system.js"}
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
// written when one is refused. Then the camera reloads, so the system and mdns services apply
// them at once. A new time zone restarts freecam (the OSD, file names and logs use it): the
// answer is the restarting page, and the reload comes once that page has gone out.
func (u *UI) systemHost(w http.ResponseWriter, r *http.Request) {
	vals := []struct{ file, value, what string }{
		{hostnameFile, strings.TrimSpace(r.PostFormValue("hostname")), "host name"},
		{timezoneFile, strings.TrimSpace(r.PostFormValue("timezone")), "time zone"},
		{ntpFile, strings.TrimSpace(r.PostFormValue("ntp")), "NTP server"},
	}
	checks := []struct {
		ok   func(string) bool
		want string // what is allowed, for the refusal
	}{
		{conf.ValidHostname, "is not a valid host name: letters, digits and '-', at most 63 characters per dot-separated part"},
		{clock.ValidZone, "is not a time zone name such as Europe/London"},
		{conf.ValidServer, "is not a host name or IP address"},
	}
	for i, v := range vals {
		if v.value != "" && !checks[i].ok(v.value) {
			u.systemError(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("Nothing was saved: %q %s", v.value, checks[i].want))
			return
		}
	}
	dir := u.cam.ConfigDir()
	// The zone freecam runs with: timezone.conf's when it loads, else the system's (""). Only a
	// change of it restarts freecam.
	oldZone := readValue(dir, timezoneFile)
	if !clock.ValidZone(oldZone) {
		oldZone = ""
	}
	for _, v := range vals {
		if v.value == readValue(dir, v.file) {
			continue
		}
		if err := shellconf.WriteFileAtomic(filepath.Join(dir, v.file), []byte(v.value+"\n"), 0o644); err != nil {
			u.systemError(w, r, http.StatusInternalServerError, fmt.Sprintf("write %s: %v", v.file, err))
			return
		}
	}
	if vals[1].value != oldZone {
		u.restartingThenReload(w, r, "/system")
		return
	}
	u.reloadAndBack(w, r, "host")
}

// restartingThenReload answers with the restarting page, sends it in full, and only then asks
// the camera to reload: a new time zone makes freecam restart itself, which ends this
// connection. The reload runs in the handler (after the flush), so nothing outlives the request.
func (u *UI) restartingThenReload(w http.ResponseWriter, r *http.Request, next string) {
	u.renderRestarting(w, r, next)
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		u.log.Warn("restarting page not flushed", "err", err)
	}
	if err := u.cam.Reload(); err != nil {
		u.log.Error("reload after a time zone change", "err", err)
	}
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

// restart asks the camera to restart and answers with a page that goes back to the System page,
// where the button is, once it is up again (restart.js).
func (u *UI) restart(w http.ResponseWriter, r *http.Request) {
	u.cam.Restart()
	u.renderRestarting(w, r, "/system")
}

// renderRestarting is the page restart.js runs on: it waits for freecam to come back, then opens
// next (a path on this server, in the page's data-next). A restart ends the sessions (they are
// kept in memory): when /live answers 401 or 403 or sends the browser to /login, restart.js opens
// /login?next=<next>, which the login form keeps (safeNext).
func (u *UI) renderRestarting(w http.ResponseWriter, r *http.Request, next string) {
	v := u.newView(r, "Restarting")
	v.Scripts = []string{"restart.js"}
	v.Data = safeNext(next)
	u.render(w, http.StatusOK, "restarting", v)
}
