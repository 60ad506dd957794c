package clock

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// footer returns the POSIX string at the end of a TZif file of the system's zoneinfo.
func footer(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/usr/share/zoneinfo", name))
	if err != nil {
		t.Skipf("no system zoneinfo to compare with (Debian package tzdata): %v", err)
	}
	b = bytes.TrimRight(b, "\n")
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		t.Fatalf("%s: no TZif footer", name)
	}
	return string(b[i+1:])
}

func TestPOSIXMatchesTheTZifFooter(t *testing.T) {
	zones := []string{"Europe/London", "Europe/Berlin", "Europe/Dublin", "America/New_York",
		"Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Shanghai", "Etc/GMT+1", "UTC",
		"America/Sao_Paulo", "Pacific/Auckland", "Asia/Tehran", "America/St_Johns"}
	for _, name := range zones {
		t.Run(name, func(t *testing.T) {
			want := footer(t, name)
			loc, err := time.LoadLocation(name)
			if err != nil {
				t.Fatal(err)
			}
			for year := time.Now().Year(); year < time.Now().Year()+8; year++ {
				if got := POSIX(loc, year); got != want {
					t.Errorf("%d: got %q, want %q (the TZif footer)", year, got, want)
				}
			}
		})
	}
}

// Chile's rule is "the day after the first Saturday at 0:00", which POSIX cannot say as a weekday
// rule; ours is right for this year.
func TestPOSIXIsRightThisYearForChile(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	got := POSIX(loc, year)
	// The transitions this year, in UTC, must be where the string says: first Sunday of
	// September and of April, 0:00 local time before the change.
	for _, m := range []time.Month{time.April, time.September} {
		d := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
		before := time.Date(year, m, d.Day(), 0, 0, 0, 0, time.UTC).Add(-time.Minute)
		_, off1 := before.In(loc).Zone()
		_, off2 := before.Add(-time.Duration(off1)*time.Second + 2*time.Minute).In(loc).Zone()
		if off1 == off2 {
			t.Errorf("%s: no change at 0:00 on the first Sunday of %v %d (%+d → %+d), yet POSIX says %s", loc, m, year, off1, off2, got)
		}
	}
}

func TestWriteEtcTZ(t *testing.T) {
	p := filepath.Join(t.TempDir(), "TZ")
	if err := WriteEtcTZ(p, "Europe/London"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); string(got) != "GMT0BST,M3.5.0/1,M10.5.0\n" {
		t.Errorf("got %q, want %q", got, "GMT0BST,M3.5.0/1,M10.5.0\n")
	}
	if err := WriteEtcTZ(p, "Mars/Olympus_Mons"); err == nil {
		t.Errorf("got no error for an unknown zone, want one")
	}
}
