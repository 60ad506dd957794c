package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/system/network"
)

// The System page's Network section: what the system service applied (camera.SystemState), and
// the forms that write the firmware's network files — wpa_supplicant.conf (Wi-Fi), staticip.conf,
// defaultgw.conf and resolv.conf (the address). Each form checks everything with the parsers the
// system service uses (internal/system/network) before it writes anything, then asks the camera
// to reload so a running system service applies it at once. The Wi-Fi password is never read
// back into a page.

// netView is the Network section's data.
type netView struct {
	State camera.SystemState
	// Running: the system service runs and applies what is saved here.
	Running bool
	// LocalInterface is the link the system service would configure on this computer
	// (network.Load's choice), shown while it does not run and is not freecam's job.
	LocalInterface string
	// Lease is the DHCP lease time, "" with a static address.
	Lease string
	// WiFi is the wireless link (/proc/net/wireless), nil when there is none.
	WiFi *camera.WiFi
	// SSID is the network wpa_supplicant.conf names ("" when the file does not exist);
	// WiFiSet is true when the file exists.
	SSID    string
	WiFiSet bool
	// The address form's values, from the files.
	Static                         bool
	Address, Netmask, Gateway, DNS string
	// Swap is the swap areas, for the table.
	Swap []swapView
}

type swapView struct {
	Path     string
	Size     string
	Priority int
}

// netForm is what a refused address or Wi-Fi form showed, so the user can correct it; never a
// password. set: the address form was refused; wifi: the Wi-Fi form was.
type netForm struct {
	Static                               bool
	Address, Netmask, Gateway, DNS, SSID string
	set, wifi                            bool
}

func (u *UI) netView(prev netForm) netView {
	st := u.cam.System()
	dir := u.cam.ConfigDir()
	nv := netView{State: st, Running: st.Service == "running", WiFi: u.cam.Status().WiFi}
	if !nv.Running && !st.Owned {
		c, _ := network.Load(dir) // the interface is chosen whatever the files hold
		nv.LocalInterface = c.Interface
	}
	if st.LeaseSeconds > 0 {
		nv.Lease = (time.Duration(st.LeaseSeconds) * time.Second).String()
	}
	for _, a := range st.Swap {
		nv.Swap = append(nv.Swap, swapView{Path: a.Path, Size: mebibytes(a.Bytes), Priority: a.Priority})
	}
	if data, err := os.ReadFile(filepath.Join(dir, network.WPAFile)); err == nil {
		nv.WiFiSet = true
		nv.SSID, _ = wpaValue(string(data), "ssid")
		nv.SSID = strings.Trim(nv.SSID, `"`)
	}
	if prev.wifi {
		nv.SSID = prev.SSID // what was typed, to be corrected
	}
	if prev.set {
		nv.Static, nv.Address, nv.Netmask, nv.Gateway, nv.DNS = prev.Static, prev.Address, prev.Netmask, prev.Gateway, prev.DNS
		return nv
	}
	if data, err := os.ReadFile(filepath.Join(dir, network.StaticIPFile)); err == nil {
		if p, err := network.ParseStaticIP(data); err == nil && p.IsValid() {
			nv.Static, nv.Address, nv.Netmask = true, p.Addr().String(), maskOf(p.Bits())
		} else if err != nil {
			// A file with an error (its problem is listed above the form): show what it holds,
			// as a static address to correct, so that saving the form does not turn to DHCP.
			for _, l := range strings.Split(string(data), "\n") {
				if f := strings.Fields(l); len(f) == 3 && !strings.HasPrefix(f[0], "#") {
					nv.Static, nv.Address, nv.Netmask = true, f[0], f[2]
					break
				}
			}
		}
	}
	nv.Gateway = readValue(dir, network.GatewayFile)
	if data, err := os.ReadFile(filepath.Join(dir, network.ResolvFile)); err == nil {
		var ns []string
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) == 2 && f[0] == "nameserver" {
				ns = append(ns, f[1])
			}
		}
		nv.DNS = strings.Join(ns, " ")
	}
	return nv
}

func mebibytes(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n>>10, 10) + " KiB"
}

// maskOf is the dotted netmask of a prefix length.
func maskOf(bits int) string {
	m := net.CIDRMask(bits, 32)
	return netip.AddrFrom4([4]byte(m)).String()
}

// renderNet re-renders the System page after a refused network form (nothing written).
func (u *UI) renderNet(w http.ResponseWriter, r *http.Request, status int, msg string, prev netForm) {
	u.renderSystemWith(w, r, status, msg, prev)
}

// systemAddress saves the address form: DHCP (staticip.conf emptied) or a static address with
// netmask (or /prefix), gateway and DNS servers (staticip.conf, defaultgw.conf, resolv.conf; no
// DNS servers removes resolv.conf, so the camera keeps the ones it has).
func (u *UI) systemAddress(w http.ResponseWriter, r *http.Request) {
	f := netForm{
		set:     true,
		Static:  r.PostFormValue("mode") == "static",
		Address: strings.TrimSpace(r.PostFormValue("address")),
		Netmask: strings.TrimSpace(r.PostFormValue("netmask")),
		Gateway: strings.TrimSpace(r.PostFormValue("gateway")),
		DNS:     strings.TrimSpace(r.PostFormValue("dns")),
	}
	if m := r.PostFormValue("mode"); m != "static" && m != "dhcp" {
		u.renderNet(w, r, http.StatusUnprocessableEntity, "Nothing was saved: Address: choose DHCP or a static address.", f)
		return
	}
	files, problem := addressFiles(f)
	if problem != "" {
		u.renderNet(w, r, http.StatusUnprocessableEntity, "Nothing was saved: "+problem, f)
		return
	}
	dir := u.cam.ConfigDir()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := filepath.Join(dir, n)
		var err error
		if files[n] == nil {
			if err = os.Remove(path); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		} else {
			err = shellconf.WriteFileAtomic(path, []byte(*files[n]), 0o644)
		}
		if err != nil {
			u.log.Error("write network settings", "file", n, "err", err)
			u.renderNet(w, r, http.StatusInternalServerError, fmt.Sprintf("Not saved in full: %s: %v", n, err), f)
			return
		}
	}
	u.reloadAndBack(w, r, "network")
}

// addressFiles checks the address form as the system service will (network.ParseStaticIP,
// network.CheckResolv, the gateway inside the static network) and returns the files to write
// (nil: remove the file), or a message that names the refused field.
func addressFiles(f netForm) (map[string]*string, string) {
	text := func(s string) *string { return &s }
	if !f.Static {
		// DHCP: staticip.conf empty. The gateway and DNS files are only used with a static
		// address, so they are kept for a later switch back.
		return map[string]*string{network.StaticIPFile: text("")}, ""
	}
	addr, mask := f.Address, f.Netmask
	if a, bits, ok := strings.Cut(addr, "/"); ok {
		n, err := strconv.Atoi(bits)
		if err != nil || n < 1 || n > 32 {
			return nil, fmt.Sprintf("Address: %q has no valid /prefix (1 to 32).", f.Address)
		}
		if mask != "" && mask != maskOf(n) {
			return nil, fmt.Sprintf("Netmask: %q does not match the address's /%d; give one of the two.", mask, n)
		}
		addr, mask = a, maskOf(n)
	}
	if strings.HasPrefix(mask, "/") {
		n, err := strconv.Atoi(mask[1:])
		if err != nil || n < 1 || n > 32 {
			return nil, fmt.Sprintf("Netmask: %q is not a netmask such as 255.255.255.0 or /24.", mask)
		}
		mask = maskOf(n)
	}
	if addr == "" {
		return nil, "Address: a static address needs one, such as 192.168.1.2."
	}
	if mask == "" {
		return nil, "Netmask: a static address needs one, such as 255.255.255.0 or /24."
	}
	if strings.ContainsAny(addr+mask, " \t\r\n") {
		return nil, "Address: one address and one netmask, without spaces."
	}
	staticip := addr + " netmask " + mask + "\n"
	prefix, err := network.ParseStaticIP([]byte(staticip))
	if err != nil {
		what := "Address"
		if strings.Contains(err.Error(), ": the netmask") {
			what = "Netmask"
		}
		return nil, fmt.Sprintf("%s: %s", what, trimLine(err))
	}
	files := map[string]*string{network.StaticIPFile: text(staticip), network.GatewayFile: text("")}
	if f.Gateway != "" {
		gw, err := netip.ParseAddr(f.Gateway)
		switch {
		case err != nil || !gw.Is4() || gw.IsUnspecified() || gw.IsMulticast():
			return nil, fmt.Sprintf("Gateway: %q is not an IPv4 address such as 192.168.1.1.", f.Gateway)
		case !prefix.Masked().Contains(gw):
			return nil, fmt.Sprintf("Gateway: %s is not in the static network %s; the camera could not reach it.", gw, prefix.Masked())
		case gw == prefix.Addr():
			return nil, fmt.Sprintf("Gateway: %s is the camera's own address.", gw)
		}
		files[network.GatewayFile] = text(gw.String() + "\n")
	}
	var resolv strings.Builder
	for _, s := range strings.FieldsFunc(f.DNS, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Sprintf("DNS servers: %q is not an IP address such as 192.168.1.1.", s)
		}
		fmt.Fprintf(&resolv, "nameserver %s\n", a)
	}
	if err := network.CheckResolv([]byte(resolv.String())); err != nil {
		return nil, "DNS servers: " + trimLine(err)
	}
	// No DNS servers: no resolv.conf, and the system service leaves /etc/resolv.conf as it is
	// (an empty one would leave the camera without any).
	files[network.ResolvFile] = nil
	if resolv.Len() > 0 {
		files[network.ResolvFile] = text(resolv.String())
	}
	return files, ""
}

// trimLine drops the "line N: " of a one-line file's error: the user typed a field, not a file.
func trimLine(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "line ") {
		if _, rest, ok := strings.Cut(s, ": "); ok {
			return rest
		}
	}
	return s
}

// The firmware's wpa_supplicant.conf, with the network filled in.
const wpaTemplate = `# written by freecam's System page
ctrl_interface=/var/run/wpa_supplicant
ctrl_interface_group=0
ap_scan=1

network={
	ssid="%s"
	scan_ssid=1
	key_mgmt=WPA-PSK
	pairwise=CCMP TKIP
	group=CCMP TKIP WEP104 WEP40
	psk=%s
	priority=2
}
`

// wpaValue returns the raw value of the first "key=value" line in a network block of
// wpa_supplicant.conf (quotes kept).
func wpaValue(conf, key string) (string, bool) {
	in := false
	for _, l := range strings.Split(conf, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "network={"):
			in = true
		case l == "}":
			in = false
		case in && strings.HasPrefix(l, key+"="):
			return strings.TrimPrefix(l, key+"="), true
		}
	}
	return "", false
}

// checkSSID and checkPSK refuse what cannot be written inside wpa_supplicant.conf's quotes; ""
// when fine.
func checkSSID(s string) string {
	if len(s) < 1 || len(s) > 32 {
		return fmt.Sprintf("Wi-Fi network name: must be 1 to 32 bytes (got %d).", len(s))
	}
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			return "Wi-Fi network name: freecam cannot write a name with \" or \\ in it; rename the network or write wpa_supplicant.conf by hand."
		case c < 0x20 || c == 0x7f:
			return "Wi-Fi network name: line breaks and control characters are not allowed."
		}
	}
	return ""
}

func checkPSK(s string) string {
	if rawKey(s) {
		return ""
	}
	if len(s) < 8 || len(s) > 63 {
		return fmt.Sprintf("Wi-Fi password: must be 8 to 63 characters, or a raw key of 64 hex digits (got %d characters).", len(s))
	}
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			return "Wi-Fi password: freecam cannot write a password with \" or \\ in it; change it on the router or write wpa_supplicant.conf by hand."
		case c < 0x20 || c > 0x7e:
			return "Wi-Fi password: only printable ASCII characters (no line breaks, no accents)."
		}
	}
	return ""
}

// rawKey reports whether s is a raw WPA key: 64 hex digits (what wpa_passphrase computes), which
// wpa_supplicant.conf holds unquoted.
func rawKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// systemWiFi saves the Wi-Fi form: the network name and, unless left empty (keep), the password,
// to wpa_supplicant.conf with mode 0600.
func (u *UI) systemWiFi(w http.ResponseWriter, r *http.Request) {
	ssid := r.PostFormValue("ssid")
	psk := r.PostFormValue("password")
	f := netForm{SSID: ssid, wifi: true} // what was typed comes back; never the password
	fail := func(msg string) {
		u.renderNet(w, r, http.StatusUnprocessableEntity, "Nothing was saved: "+msg, f)
	}
	if msg := checkSSID(ssid); msg != "" {
		fail(msg)
		return
	}
	path := filepath.Join(u.cam.ConfigDir(), network.WPAFile)
	var pskLine string
	if psk == "" {
		old, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			u.renderNet(w, r, http.StatusInternalServerError, "Nothing was saved: cannot read the saved Wi-Fi settings: "+err.Error(), f)
			return
		}
		v, ok := wpaValue(string(old), "psk")
		if !ok || v == "" || strings.ContainsAny(v, "\r\n") {
			fail("Wi-Fi password: type it (no password is saved yet).")
			return
		}
		pskLine = v // as it was: quoted, or the 64 hex digits wpa_passphrase writes
	} else {
		if msg := checkPSK(psk); msg != "" {
			fail(msg)
			return
		}
		pskLine = `"` + psk + `"`
		if rawKey(psk) {
			pskLine = psk // a raw key is written unquoted, as wpa_supplicant wants
		}
	}
	// The old file may be the firmware's, readable by all: make it private before the secret
	// goes in (WriteFileAtomic keeps an existing file's mode).
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
		u.renderNet(w, r, http.StatusInternalServerError, "Nothing was saved: "+err.Error(), f)
		return
	}
	if err := shellconf.WriteFileAtomic(path, fmt.Appendf(nil, wpaTemplate, ssid, pskLine), 0o600); err != nil {
		u.log.Error("write Wi-Fi settings", "file", network.WPAFile, "err", err) // the path's error: no secret
		u.renderNet(w, r, http.StatusInternalServerError, "Nothing was saved: "+err.Error(), f)
		return
	}
	u.reloadAndBack(w, r, "wifi")
}

// systemWiFiRemove deletes wpa_supplicant.conf (the form asks for a confirmation first).
func (u *UI) systemWiFiRemove(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("confirm") != "yes" {
		u.renderNet(w, r, http.StatusUnprocessableEntity, "Wi-Fi not removed: tick the box that confirms it.", netForm{})
		return
	}
	err := os.Remove(filepath.Join(u.cam.ConfigDir(), network.WPAFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		u.renderNet(w, r, http.StatusInternalServerError, "Wi-Fi not removed: "+err.Error(), netForm{})
		return
	}
	u.reloadAndBack(w, r, "wifi-removed")
}

// reloadAndBack asks the camera to apply what was saved (the system service re-reads its files)
// and goes back to the System page, or says that it was saved but not applied.
func (u *UI) reloadAndBack(w http.ResponseWriter, r *http.Request, flash string) {
	if err := u.cam.Reload(); err != nil {
		u.renderSystemWith(w, r, http.StatusOK, fmt.Sprintf("Saved, but the camera did not apply it: %v", err), netForm{})
		return
	}
	back(w, r, "/system", flash)
}
