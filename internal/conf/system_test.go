package conf

import "testing"

func TestSystemValueChecks(t *testing.T) {
	for _, tc := range []struct {
		check func(string) bool
		name  string
		good  []string
		bad   []string
	}{
		{ValidHostname, "host name", []string{"dafang", "cam-1.home.lan"}, []string{"", "-cam", "cam-", "a..b", "bad_name!", string(make([]byte, 254))}},
		{ValidTimezone, "time zone", []string{"Europe/London", "Etc/GMT+1", "UTC"}, []string{"", "/etc/passwd", "../x", "Europe/Lon don"}},
		{ValidServer, "server", []string{"pool.ntp.org", "192.0.2.1", "fd00::1"}, []string{"", "bad server", "1.2.3.4.5:"}},
	} {
		for _, s := range tc.good {
			if !tc.check(s) {
				t.Errorf("%s %q: refused, want it accepted", tc.name, s)
			}
		}
		for _, s := range tc.bad {
			if tc.check(s) {
				t.Errorf("%s %q: accepted, want it refused", tc.name, s)
			}
		}
	}
}
