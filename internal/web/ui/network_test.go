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
		MDNS: "running", MDNSHost: "garden-cam", MDNSWebURL: "https://garden-cam.local:8443/",
	})
	r := httptestGet(t, e, "/system", "camera.lan:9999")
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
	if strings.Contains(r, "9999") || strings.Contains(r, `id="system-problems"`) {
		t.Errorf("service running: the mDNS link is built from the request, or problems are shown without any")
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
		{"64 characters, not hex", "net", strings.Repeat("0", 63) + "g", "Wi-Fi password"},
		{"65 hex digits", "net", strings.Repeat("a", 65), "Wi-Fi password"},
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
			// What was typed as the network name comes back to be corrected.
			if want := `name="ssid" value="` + html.EscapeString(tt.ssid) + `"`; !strings.Contains(body, want) {
				t.Errorf("no %q in the page after the refusal", want)
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
	const oldResolv = "nameserver 9.9.9.9\n"
	tests := []struct {
		name string
		form url.Values
		// want are the files after saving; "-" means the file does not exist. Each test starts
		// with resolv.conf holding oldResolv.
		want map[string]string
	}{
		{"static with netmask", url.Values{"mode": {"static"}, "address": {"192.168.1.20"}, "netmask": {"255.255.255.0"}, "gateway": {"192.168.1.1"}, "dns": {"192.168.1.1, 1.1.1.1"}},
			map[string]string{"staticip.conf": "192.168.1.20 netmask 255.255.255.0\n", "defaultgw.conf": "192.168.1.1\n", "resolv.conf": "nameserver 192.168.1.1\nnameserver 1.1.1.1\n"}},
		// No DNS servers: resolv.conf is removed (never written empty), so the system service
		// leaves /etc/resolv.conf as it is.
		{"static with prefix, no DNS", url.Values{"mode": {"static"}, "address": {"10.0.5.9/16"}, "gateway": {"10.0.0.1"}, "dns": {"  "}},
			map[string]string{"staticip.conf": "10.0.5.9 netmask 255.255.0.0\n", "defaultgw.conf": "10.0.0.1\n", "resolv.conf": "-"}},
		{"static with /prefix in netmask", url.Values{"mode": {"static"}, "address": {"10.0.5.9"}, "netmask": {"/24"}},
			map[string]string{"staticip.conf": "10.0.5.9 netmask 255.255.255.0\n", "defaultgw.conf": "", "resolv.conf": "-"}},
		{"dhcp", url.Values{"mode": {"dhcp"}, "address": {"ignored"}},
			map[string]string{"staticip.conf": "", "resolv.conf": oldResolv, "defaultgw.conf": "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if err := os.WriteFile(filepath.Join(e.dir, "resolv.conf"), []byte(oldResolv), 0o644); err != nil {
				t.Fatal(err)
			}
			res, body := e.post(t, "/system/address", tt.form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d, want 303: %s", res.StatusCode, problemOf(body))
			}
			for f, want := range tt.want {
				got, err := os.ReadFile(filepath.Join(e.dir, f))
				switch {
				case want == "-" && !os.IsNotExist(err):
					t.Errorf("%s: got %q, %v, want no file", f, got, err)
				case want != "-" && (err != nil || string(got) != want):
					t.Errorf("%s: got %q, %v, want %q", f, got, err, want)
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
	for _, want := range []string{`id="address-static" name="mode" value="static" checked`, `value="192.168.1.20"`, `value="255.255.255.0"`, `name="dns" value="192.168.1.1 1.1.1.1"`,
		"Leave empty to keep the camera's current DNS servers."} {
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

func TestNetworkProblemsAndMDNS(t *testing.T) {
	tests := []struct {
		name    string
		state   camera.SystemState
		want    []string
		notWant []string
	}{
		{"problems", camera.SystemState{Service: "running", Owned: true, MDNS: "running", MDNSHost: "cam",
			Problems: []string{"staticip.conf line 1: \"192.168.1.300\" is not an IPv4 address (DHCP is used instead)", "resolv.conf <no nameserver>"}},
			[]string{`<ul class="problem" id="system-problems"><li>staticip.conf line 1: &#34;192.168.1.300&#34; is not an IPv4 address (DHCP is used instead)</li><li>resolv.conf &lt;no nameserver&gt;</li></ul>`,
				`id="net-mdns">not announced: the web UI listens on loopback only</td>`},
			[]string{`href="https://cam.local`}},
		{"announced", camera.SystemState{Service: "running", MDNS: "running", MDNSHost: "cam", MDNSWebURL: "https://cam.local/"},
			[]string{`id="net-mdns"><a href="https://cam.local/">https://cam.local/</a></td>`},
			[]string{`id="system-problems"`, "not announced"}},
		{"mdns stopped", camera.SystemState{Service: "running", MDNS: "stopped"},
			[]string{`id="net-mdns">stopped</td>`},
			[]string{"not announced", `<a href="https://`}},
		{"problems while the service is off", camera.SystemState{Service: "failed", Owned: true, Problems: []string{"swap.conf line 2: SWAPSIZE: not a number"}},
			[]string{`id="system-problems"><li>swap.conf line 2: SWAPSIZE: not a number</li>`, "The system service is failed"},
			[]string{"Starting it applies these files to this computer"}},
		{"ordinary computer", camera.SystemState{Service: "stopped"},
			[]string{"Starting it applies these files to this computer: its host name, its address (DHCP client on ",
				"unless a DHCP client or network manager already runs), swap (swap.conf; without one, the firmware's default turns on 16 MiB of compressed zram swap) and its clock (steps it from ntp_srv.conf unless an NTP daemon keeps it)."},
			[]string{`id="system-problems"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.cam.SetSystem(tt.state)
			page := httptestGet(t, e, "/system", "camera.lan:8443")
			for _, want := range tt.want {
				if !strings.Contains(page, want) {
					t.Errorf("no %q in the page", want)
				}
			}
			for _, bad := range tt.notWant {
				if strings.Contains(page, bad) {
					t.Errorf("got %q in the page, want it absent", bad)
				}
			}
		})
	}
}

// A raw key (64 hex digits, what wpa_passphrase computes) is written unquoted; a refusal shows
// the network name typed, not the one saved, and never the password.
func TestWiFiRawKeyAndRefusalKeepsSSID(t *testing.T) {
	key := strings.Repeat("0123456789abcDEF", 4)
	e := newEnv(t)
	_, page := e.get(t, "/system")
	if !strings.Contains(page, `id="wifi-password" name="password" value="" autocomplete="new-password" maxlength="64"`) {
		t.Errorf("the password field does not take 64 characters")
	}
	if res, body := e.post(t, "/system/wifi", url.Values{"ssid": {"Home Net"}, "password": {key}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("raw key: got %d, want 303: %s", res.StatusCode, problemOf(body))
	}
	want := strings.Replace(wpaWant, `psk="s3cret-Passw0rd"`, "psk="+key, 1)
	if got := e.file(t, "wpa_supplicant.conf"); got != want {
		t.Errorf("raw key: got\n%s\nwant\n%s", got, want)
	}
	saved := e.file(t, "wpa_supplicant.conf")
	res, body := e.post(t, "/system/wifi", url.Values{"ssid": {"Typed Net"}, "password": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: got %d, want 422", res.StatusCode)
	}
	if !strings.Contains(body, `name="ssid" value="Typed Net"`) || strings.Contains(body, `value="Home Net"`) {
		t.Errorf("after the refusal the form does not show the name typed (Typed Net)")
	}
	if strings.Contains(body, key) || strings.Contains(body, "short\"") {
		t.Errorf("a password is in the page")
	}
	if got := e.file(t, "wpa_supplicant.conf"); got != saved {
		t.Errorf("the refusal changed wpa_supplicant.conf:\n%s", got)
	}
	// The kept raw key stays unquoted.
	if res, _ := e.post(t, "/system/wifi", url.Values{"ssid": {"Other Net"}, "password": {""}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep: got %d, want 303", res.StatusCode)
	}
	if got, want := e.file(t, "wpa_supplicant.conf"), strings.Replace(want, `"Home Net"`, `"Other Net"`, 1); got != want {
		t.Errorf("keep the raw key: got\n%s\nwant\n%s", got, want)
	}
}

// A time zone must load (clock.ValidZone), not merely look like a name; nothing is written when
// one field is refused, and only a change of the zone freecam runs with restarts it.
func TestSystemHostZone(t *testing.T) {
	for _, zone := range []string{"Mars/Olympus", "europe/london", "CET-1CEST"} {
		t.Run(zone, func(t *testing.T) {
			e := newEnv(t)
			res, body := e.post(t, "/system/host", url.Values{"hostname": {"garden-cam"}, "timezone": {zone}, "ntp": {"pool.ntp.org"}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", res.StatusCode)
			}
			want := "Nothing was saved: &#34;" + zone + "&#34; is not a time zone name such as Europe/London"
			if p := problemOf(body); p != want {
				t.Errorf("got message %q, want %q", p, want)
			}
			for _, f := range []string{hostnameFile, timezoneFile, ntpFile} {
				if _, err := os.Stat(filepath.Join(e.dir, f)); !os.IsNotExist(err) {
					t.Errorf("%s: got %v, want nothing written", f, err)
				}
			}
			if strings.Contains(body, `id="restarting"`) || countCalls(e.cam.Calls(), "Reload") != 0 {
				t.Errorf("a refused zone restarts or reloads the camera")
			}
		})
	}

	e := newEnv(t)
	res, body := e.post(t, "/system/host", url.Values{"hostname": {"cam_1"}, "timezone": {"Europe/London"}})
	if want := "Nothing was saved: &#34;cam_1&#34; is not a valid host name: letters, digits and &#39;-&#39;, at most 63 characters per dot-separated part"; res.StatusCode != http.StatusUnprocessableEntity || problemOf(body) != want {
		t.Errorf("bad host name: got %d %q, want 422 %q", res.StatusCode, problemOf(body), want)
	}

	// A valid zone that changes: the restarting page, which goes back to the System page.
	res, body = e.post(t, "/system/host", url.Values{"timezone": {"Europe/London"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="restarting" data-next="/system"`) {
		t.Fatalf("zone change: got %d, want the restarting page going back to /system\n%s", res.StatusCode, body)
	}
	if got := e.file(t, timezoneFile); got != "Europe/London\n" {
		t.Errorf("timezone.conf: got %q, want Europe/London", got)
	}
	// The same zone again: back to the page, no restart.
	if res, _ := e.post(t, "/system/host", url.Values{"timezone": {"Europe/London"}, "hostname": {"cam-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("same zone: got %d, want 303 (no restart)", res.StatusCode)
	}
	// A zone that did not load (written by hand) means the system's: emptying it changes nothing
	// freecam runs with, so no restart either.
	if err := os.WriteFile(filepath.Join(e.dir, timezoneFile), []byte("Mars/Olympus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.post(t, "/system/host", url.Values{"timezone": {""}, "hostname": {"cam-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("bad zone emptied: got %d, want 303 (no restart)", res.StatusCode)
	}
	if got := e.file(t, timezoneFile); got != "\n" {
		t.Errorf("timezone.conf: got %q, want it emptied", got)
	}
}

// The restarting page tells restart.js where to go once freecam is back (data-next), and the
// login page it may have to open instead keeps that as next.
func TestRestartingPageNext(t *testing.T) {
	e := newEnv(t)
	res, body := e.post(t, "/system/restart", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="restarting" data-next="/system"`) || !strings.Contains(body, `src="/static/restart.js"`) {
		t.Errorf("restart: got %d, want the restarting page going back to /system with restart.js\n%s", res.StatusCode, body)
	}
	if _, page := e.get(t, "/login?next="+url.QueryEscape("/system")); !strings.Contains(page, `name="next" value="/system"`) {
		t.Errorf("/login?next=%%2Fsystem does not keep next=/system")
	}
	code, js := e.get(t, "/static/restart.js")
	for _, want := range []string{`getAttribute("data-next")`, `"/login?next=" + encodeURIComponent(next)`, "r.status === 401 || r.status === 403", `=== "/login"`} {
		if code != http.StatusOK || !strings.Contains(js, want) {
			t.Errorf("restart.js (%d): no %q", code, want)
		}
	}
}

// A staticip.conf with an error is shown as the static address it holds, to be corrected, not
// as DHCP: saving the form after fixing another field must not switch the camera to DHCP.
func TestAddressFormShowsABadStaticFileAsStatic(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(filepath.Join(e.dir, "staticip.conf"), []byte("# set by hand\n10.79.0.2 netmask 255.255.255.O\n"), 0o644)
	_, body := e.get(t, "/system")
	for _, want := range []string{`id="address-static" name="mode" value="static" checked`, `value="10.79.0.2"`, `value="255.255.255.O"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the System page lacks %q", want)
		}
	}
}
