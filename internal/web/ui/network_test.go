package ui

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/web/auth"
)

func TestNetworkStateShown(t *testing.T) {
	e := newEnv(t)
	_, body := e.get(t, "/system")
	for _, want := range []string{`id="system-off"`, "on this computer the system service is off — start it on the <a href=\"/services\">Services page</a> to apply them anyway", `id="wifi-form"`, `id="address-form"`, `id="address-warning"`, `name="swap.conf/SWAPSIZE"`} {
		if !strings.Contains(body, want) {
			t.Errorf("service stopped: no %q in the page", want)
		}
	}
	synced := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	e.cam.SetSystem(camera.SystemState{
		Service: "running", Owned: true, Interface: "wlan0", Address: "192.168.1.50/24", Gateway: "192.168.1.1",
		DNS: []string{"192.168.1.1", "1.1.1.1"}, LeaseSeconds: 3600,
		Swap:      []camera.SwapArea{{Path: "/dev/zram0", Priority: 20, Bytes: 16 << 20}},
		NTPServer: "pool.ntp.org", NTPLastSync: synced, NTPOffsetMS: 12.5, TimeZone: "Europe/Berlin",
		MDNS: "running", MDNSHost: "garden-cam",
	})
	r := httptestGet(t, e, "/system", "camera.lan:8443")
	for _, want := range []string{
		`id="net-interface">wlan0`, "192.168.1.50/24 (DHCP, lease 1h0m0s)", `id="net-gateway">192.168.1.1`,
		"192.168.1.1, 1.1.1.1", "/dev/zram0: 16 MiB, priority 20", "NTP pool.ntp.org; last sync", "offset 12.5 ms",
		`id="net-zone">Europe/Berlin`, `href="https://garden-cam.local:8443/"`,
	} {
		if !strings.Contains(r, want) {
			t.Errorf("service running: no %q in the page", want)
		}
	}
	if strings.Contains(r, `id="system-off"`) {
		t.Errorf("service running: the page still says the service is off")
	}
	e.cam.SetSystem(camera.SystemState{Service: "failed", Owned: true})
	if r := httptestGet(t, e, "/system", "camera.lan"); !strings.Contains(r, "The system service is failed: these settings are saved but not applied") {
		t.Errorf("service failed on a camera: the page does not say the settings are not applied")
	}
	e.cam.SetSystem(camera.SystemState{Service: "running", ClockManaged: true, SwapError: "swapon /dev/zram0: operation not permitted", MDNS: "stopped"})
	r = httptestGet(t, e, "/system", "camera.lan")
	for _, want := range []string{"kept by the system's NTP daemon", "swapon /dev/zram0: operation not permitted", `id="net-mdns">stopped`} {
		if !strings.Contains(r, want) {
			t.Errorf("clock managed, swap error: no %q in the page", want)
		}
	}
}

func httptestGet(t *testing.T, e *env, path, host string) string {
	t.Helper()
	r, _ := http.NewRequest("GET", "http://"+host+path, nil)
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: got %d, want 200", path, w.Code)
	}
	return w.Body.String()
}

const wpaWant = `# written by freecam's System page
ctrl_interface=/var/run/wpa_supplicant
ctrl_interface_group=0
ap_scan=1

network={
	ssid="Home Net"
	scan_ssid=1
	key_mgmt=WPA-PSK
	pairwise=CCMP TKIP
	group=CCMP TKIP WEP104 WEP40
	psk="s3cret-Passw0rd"
	priority=2
}
`

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestWiFiSaveKeepAndRemove(t *testing.T) {
	const pw = "s3cret-Passw0rd"
	e := newEnv(t)
	path := filepath.Join(e.dir, "wpa_supplicant.conf")
	// The firmware's file, readable by all: freecam makes it private.
	if err := os.WriteFile(path, []byte("network={\n\tssid=\"old\"\n\tpsk=\"old-password\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, body := e.post(t, "/system/wifi", url.Values{"ssid": {"Home Net"}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: got %d, want 303\n%s", res.StatusCode, body)
	}
	if got := e.file(t, "wpa_supplicant.conf"); got != wpaWant {
		t.Errorf("wpa_supplicant.conf: got\n%s\nwant\n%s", got, wpaWant)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("wpa_supplicant.conf mode: got %o, want 600", m)
	}
	if got := countCalls(e.cam.Calls(), "Reload"); got != 1 {
		t.Errorf("got %d reloads, want 1", got)
	}
	_, page := e.get(t, "/system")
	if strings.Contains(page, pw) || strings.Contains(body, pw) {
		t.Errorf("the password is in a page")
	}
	for _, want := range []string{`placeholder="unchanged"`, `name="ssid" value="Home Net"`, "in use on wlan0 (Home Net), signal -61 dBm", `id="wifi-remove"`} {
		if !strings.Contains(page, want) {
			t.Errorf("after saving: no %q in the page", want)
		}
	}

	// An empty password keeps the saved one.
	if res, _ := e.post(t, "/system/wifi", url.Values{"ssid": {"Other Net"}, "password": {""}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep: got %d, want 303", res.StatusCode)
	}
	if got, want := e.file(t, "wpa_supplicant.conf"), strings.Replace(wpaWant, `"Home Net"`, `"Other Net"`, 1); got != want {
		t.Errorf("keep: got\n%s\nwant\n%s", got, want)
	}

	// Removal needs the confirmation.
	if res, _ := e.post(t, "/system/wifi/remove", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("remove without confirmation: got %d, want 422", res.StatusCode)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("remove without confirmation: %v, want the file kept", err)
	}
	if res, _ := e.post(t, "/system/wifi/remove", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("remove: got %d, want 303", res.StatusCode)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("remove: got %v, want the file gone", err)
	}
	if got := countCalls(e.cam.Calls(), "Reload"); got != 3 {
		t.Errorf("got %d reloads, want 3 (save, keep, remove)", got)
	}
}

func TestWiFiRefusedWritesNothing(t *testing.T) {
	tests := []struct {
		name, ssid, password, field string
	}{
		{"no ssid", "", "long-enough", "Wi-Fi network name"},
		{"long ssid", strings.Repeat("x", 33), "long-enough", "Wi-Fi network name"},
		{"quote in ssid", `my"net`, "long-enough", "Wi-Fi network name"},
		{"backslash in ssid", `my\net`, "long-enough", "Wi-Fi network name"},
		{"newline in ssid", "my\nnet", "long-enough", "Wi-Fi network name"},
		{"short password", "net", "short12", "Wi-Fi password"},
		{"long password", "net", strings.Repeat("p", 64), "Wi-Fi password"},
		{"quote in password", "net", `pass"word1`, "Wi-Fi password"},
		{"backslash in password", "net", `pass\word1`, "Wi-Fi password"},
		{"newline in password", "net", "password1\npsk=\"x\"", "Wi-Fi password"},
		{"accent in password", "net", "pässword12", "Wi-Fi password"},
		{"no password yet", "net", "", "Wi-Fi password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res, body := e.post(t, "/system/wifi", url.Values{"ssid": {tt.ssid}, "password": {tt.password}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", res.StatusCode)
			}
			if !strings.Contains(body, "Nothing was saved: "+tt.field) {
				t.Errorf("the message does not name %q:\n%s", tt.field, problemOf(body))
			}
			if tt.password != "" && strings.Contains(body, html.EscapeString(tt.password)) {
				t.Errorf("the refused password is in the page")
			}
			if _, err := os.Stat(filepath.Join(e.dir, "wpa_supplicant.conf")); !os.IsNotExist(err) {
				t.Errorf("got %v, want no wpa_supplicant.conf", err)
			}
			if got := countCalls(e.cam.Calls(), "Reload"); got != 0 {
				t.Errorf("got %d reloads, want 0", got)
			}
		})
	}
}

func problemOf(body string) string {
	_, after, ok := strings.Cut(body, `id="problem">`)
	if !ok {
		return "(no problem shown)"
	}
	p, _, _ := strings.Cut(after, "</p>")
	return p
}

func TestAddressSave(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		want map[string]string
	}{
		{"static with netmask", url.Values{"mode": {"static"}, "address": {"192.168.1.20"}, "netmask": {"255.255.255.0"}, "gateway": {"192.168.1.1"}, "dns": {"192.168.1.1, 1.1.1.1"}},
			map[string]string{"staticip.conf": "192.168.1.20 netmask 255.255.255.0\n", "defaultgw.conf": "192.168.1.1\n", "resolv.conf": "nameserver 192.168.1.1\nnameserver 1.1.1.1\n"}},
		{"static with prefix", url.Values{"mode": {"static"}, "address": {"10.0.5.9/16"}, "gateway": {"10.0.0.1"}},
			map[string]string{"staticip.conf": "10.0.5.9 netmask 255.255.0.0\n", "defaultgw.conf": "10.0.0.1\n", "resolv.conf": ""}},
		{"static with /prefix in netmask", url.Values{"mode": {"static"}, "address": {"10.0.5.9"}, "netmask": {"/24"}},
			map[string]string{"staticip.conf": "10.0.5.9 netmask 255.255.255.0\n", "defaultgw.conf": ""}},
		{"dhcp", url.Values{"mode": {"dhcp"}, "address": {"ignored"}},
			map[string]string{"staticip.conf": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res, body := e.post(t, "/system/address", tt.form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d, want 303: %s", res.StatusCode, problemOf(body))
			}
			for f, want := range tt.want {
				if got := e.file(t, f); got != want {
					t.Errorf("%s: got %q, want %q", f, got, want)
				}
			}
			if got := countCalls(e.cam.Calls(), "Reload"); got != 1 {
				t.Errorf("got %d reloads, want 1", got)
			}
		})
	}
	// The form shows the saved address again.
	e := newEnv(t)
	e.post(t, "/system/address", tests[0].form)
	_, page := e.get(t, "/system")
	for _, want := range []string{`id="address-static" name="mode" value="static" checked`, `value="192.168.1.20"`, `value="255.255.255.0"`, `name="dns" value="192.168.1.1 1.1.1.1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("after saving: no %q in the page", want)
		}
	}
}

func TestAddressRefusedWritesNothing(t *testing.T) {
	static := func(addr, mask, gw, dns string) url.Values {
		return url.Values{"mode": {"static"}, "address": {addr}, "netmask": {mask}, "gateway": {gw}, "dns": {dns}}
	}
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no mode", url.Values{"address": {"192.168.1.2"}}, "Address"},
		{"no address", static("", "255.255.255.0", "", ""), "Address"},
		{"not an address", static("192.168.1.300", "255.255.255.0", "", ""), "Address"},
		{"IPv6", static("fd00::2", "255.255.255.0", "", ""), "Address"},
		{"loopback", static("127.0.0.2", "255.0.0.0", "", ""), "Address"},
		{"no netmask", static("192.168.1.2", "", "", ""), "Netmask"},
		{"holey netmask", static("192.168.1.2", "255.0.255.0", "", ""), "Netmask"},
		{"bad prefix", static("192.168.1.2/33", "", "", ""), "Address"},
		{"prefix and other mask", static("192.168.1.2/24", "255.255.0.0", "", ""), "Netmask"},
		{"two words", static("192.168.1.2 netmask", "255.255.255.0", "", ""), "Address"},
		{"gateway outside", static("192.168.1.2", "255.255.255.0", "192.168.2.1", ""), "Gateway"},
		{"gateway not an address", static("192.168.1.2", "255.255.255.0", "router", ""), "Gateway"},
		{"dns not an address", static("192.168.1.2", "255.255.255.0", "192.168.1.1", "1.1.1.1 dns.google"), "DNS servers"},
		{"dns injection", static("192.168.1.2", "255.255.255.0", "192.168.1.1", "1.1.1.1\noptions rotate"), "DNS servers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res, body := e.post(t, "/system/address", tt.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", res.StatusCode)
			}
			if p := problemOf(body); !strings.HasPrefix(p, "Nothing was saved: "+tt.field+":") {
				t.Errorf("got message %q, want it to name %s", p, tt.field)
			}
			for _, f := range []string{"staticip.conf", "defaultgw.conf", "resolv.conf"} {
				if _, err := os.Stat(filepath.Join(e.dir, f)); !os.IsNotExist(err) {
					t.Errorf("%s: got %v, want it not written", f, err)
				}
			}
			if got := countCalls(e.cam.Calls(), "Reload"); got != 0 {
				t.Errorf("got %d reloads, want 0", got)
			}
			// What was typed comes back to be corrected.
			if a := tt.form.Get("address"); a != "" && !strings.Contains(body, `name="address" value="`+html.EscapeString(a)) {
				t.Errorf("the refused address %q is not in the form again", a)
			}
		})
	}
}

func TestSwapSettings(t *testing.T) {
	e := newEnv(t)
	_, page := e.get(t, "/system")
	// swap.conf does not exist: the page shows swap.Load's defaults.
	for _, want := range []string{`name="swap.conf/SWAP_ZRAM" value="true" checked`, `name="swap.conf/SWAP_ZRAM_SIZE" value="16777216"`, `name="swap.conf/SWAPPATH" value="/system/sdcard/swapfile"`} {
		if !strings.Contains(page, want) {
			t.Errorf("defaults: no %q in the page", want)
		}
	}
	form := url.Values{"#section/Swap": {"1"}, "swap.conf/SWAP_ZRAM": {"true"}, "swap.conf/SWAP": {"true"}, "swap.conf/SWAPPATH": {"/mnt/sd/swap"}, "swap.conf/SWAPSIZE": {"128"}, "swap.conf/SWAP_ZRAM_SIZE": {"16777216"}}
	if res, body := e.post(t, "/system", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: got %d, want 303: %s", res.StatusCode, problemOf(body))
	}
	got := e.file(t, "swap.conf")
	for _, want := range []string{"SWAP=true\n", "SWAPPATH=/mnt/sd/swap\n", "SWAPSIZE=128\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("swap.conf: no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "SWAP_ZRAM") {
		t.Errorf("swap.conf: unchanged defaults were written:\n%s", got)
	}
	if n := countCalls(e.cam.Calls(), "Reload"); n != 1 {
		t.Errorf("got %d reloads, want 1", n)
	}
	for _, tt := range []struct{ key, value string }{{"SWAPPATH", "swapfile"}, {"SWAPPATH", "/mnt/../swap"}, {"SWAPSIZE", "5000"}, {"SWAP_ZRAM_SIZE", "1000"}} {
		bad := url.Values{"#section/Swap": {"1"}, "swap.conf/" + tt.key: {tt.value}}
		res, body := e.post(t, "/system", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-swap.conf-`+tt.key+`-error"`) {
			t.Errorf("%s=%q: got %d, want 422 with the field marked", tt.key, tt.value, res.StatusCode)
		}
		if e.file(t, "swap.conf") != got {
			t.Errorf("%s=%q: swap.conf changed", tt.key, tt.value)
		}
	}
}

func TestNetworkFormsAreAdminOnly(t *testing.T) {
	e := newEnv(t)
	e.role = auth.Viewer
	for _, p := range []string{"/system/wifi", "/system/wifi/remove", "/system/address", "/system/host"} {
		if res, _ := e.post(t, p, url.Values{"ssid": {"x"}, "password": {"long-enough"}, "confirm": {"yes"}, "mode": {"dhcp"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: got %d, want 403", p, res.StatusCode)
		}
	}
	for _, f := range []string{"wpa_supplicant.conf", "staticip.conf"} {
		if _, err := os.Stat(filepath.Join(e.dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s: got %v, want nothing written by a viewer", f, err)
		}
	}
}
