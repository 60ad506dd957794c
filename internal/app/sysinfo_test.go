package app

import (
	"testing"

	"github.com/freecam/freecam/internal/camera"
)

func TestParseWireless(t *testing.T) {
	const proc = `Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
 face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
 wlan0: 0000   49.  -61.  -256        0      0      0      0      0        0
`
	got := parseWireless([]byte(proc))
	want := camera.WiFi{Interface: "wlan0", SignalDBm: -61, LinkQuality: 49, NoiseDBm: 0}
	if got == nil || *got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := parseWireless([]byte("Inter-| sta-|\n face | tus |\n")); got != nil {
		t.Errorf("no interface: got %+v, want nil", got)
	}
	if got := parseWireless([]byte(" wlan0: 0000 60. 195. 161.\n")); got == nil || got.SignalDBm != -61 {
		t.Errorf("unsigned level: got %+v, want -61 dBm", got)
	}
}
