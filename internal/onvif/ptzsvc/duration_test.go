package ptzsvc

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT60S", time.Minute, true},
		{"PT0.5S", 500 * time.Millisecond, true},
		{"PT1M30S", 90 * time.Second, true},
		{"P1DT2H", 26 * time.Hour, true},
		{" PT5S ", 5 * time.Second, true},
		{"PT", 0, false},
		{"P", 0, false},
		{"60", 0, false},
		{"PT5", 0, false},
		{"P1M", 0, false},
		{"PT1D", 0, false},
		{"-PT5S", 0, false},
		{"PTS", 0, false},
		{"PT1.2.3S", 0, false},
		{"PT99999999999999H", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDuration(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("got %v, %v, want %v (ok %t)", got, err, tc.want, tc.ok)
			}
		})
	}
	for _, d := range []time.Duration{DefaultTimeout, MinTimeout, MaxTimeout} {
		if got, err := parseDuration(formatDuration(d)); err != nil || got != d {
			t.Errorf("round trip of %v: got %v, %v", d, got, err)
		}
	}
}
