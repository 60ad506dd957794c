package osd

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// strftimeInstants are fixed instants that cover AM/PM, midnight/noon, single-digit days and
// hours, a leap day and the last day of a leap year.
var strftimeInstants = []int64{
	0,          // Thu 1970-01-01 00:00:00
	951782400,  // Tue 2000-02-29 00:00:00
	1234567890, // Fri 2009-02-13 23:31:30
	1704067199, // Sun 2023-12-31 23:59:59
	1709208245, // Thu 2024-02-29 12:04:05
	1735646400, // Tue 2024-12-31 12:00:00 (day 366)
	1718445783, // Sat 2024-06-15 10:03:03
}

// strftimeFormats are the patterns compared against GNU date.
var strftimeFormats = []string{
	"%a %A %b %B %h",
	"%c",
	"%d %e %F %D",
	"%H %I %k %l %p",
	"%j %m %M %S %s",
	"%R %T",
	"%u %w %y %Y",
	"%z %Z",
	"100%% at %H:%M:%S %d.%m.%Y",
	"line1%nline2",
}

func TestStrftimeMatchesGNUDate(t *testing.T) {
	date, err := exec.LookPath("date")
	if err != nil {
		t.Skip("date not found")
	}
	// Make sure it is GNU date (it understands -d @EPOCH).
	if out, err := exec.Command(date, "-u", "-d", "@0", "+%s").Output(); err != nil || strings.TrimSpace(string(out)) != "0" {
		t.Skipf("date is not GNU date (out %q, err %v)", out, err)
	}
	for _, format := range strftimeFormats {
		s := CompileStrftime(format)
		for _, epoch := range strftimeInstants {
			t.Run(format+"@"+strconv.FormatInt(epoch, 10), func(t *testing.T) {
				cmd := exec.Command(date, "-d", "@"+strconv.FormatInt(epoch, 10), "+"+format)
				cmd.Env = []string{"TZ=UTC", "LC_ALL=C"}
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("date: %v", err)
				}
				want := strings.TrimSuffix(string(out), "\n")
				got := string(s.Append(nil, time.Unix(epoch, 0).UTC()))
				if got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	}
}

func TestStrftimeFixed(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	kolkata := time.FixedZone("IST", 5*3600+1800)
	newYork := time.FixedZone("EST", -5*3600)
	at := time.Date(2024, time.March, 5, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name    string
		pattern string
		t       time.Time
		want    string
	}{
		{"firmware default", "%H:%M:%S %d.%m.%Y", at, "07:08:09 05.03.2024"},
		{"empty", "", at, ""},
		{"no conversions", "camera 1", at, "camera 1"},
		{"unknown kept", "%Q %E %-d", at, "%Q %E %-d"},
		{"trailing percent", "50%", at, "50%"},
		{"double percent before verb", "%%H", at, "%H"},
		{"positive half-hour zone", "%z %Z %H", at.In(kolkata), "+0530 IST 12"},
		{"negative zone", "%z %Z %H", at.In(newYork), "-0500 EST 02"},
		{"zone name", "%Z", at.In(berlin), "CEST"},
		{"noon 12h", "%I %l %p", time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), "12 12 PM"},
		{"midnight 12h", "%I %l %p", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "12 12 AM"},
		{"sunday", "%u %w %a", time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), "7 0 Sun"},
		{"small year", "%Y %y", time.Date(987, 1, 1, 0, 0, 0, 0, time.UTC), "0987 87"},
		{"before epoch", "%s", time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC), "-60"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(CompileStrftime(tt.pattern).Append(nil, tt.t))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStrftimeAppendDoesNotAllocate(t *testing.T) {
	s := CompileStrftime("%c | %F %T %z %Z %s %j %A %B %p")
	buf := make([]byte, 0, 256)
	now := time.Date(2024, 6, 15, 10, 3, 3, 0, time.FixedZone("CEST", 7200))
	allocs := testing.AllocsPerRun(100, func() {
		buf = s.Append(buf[:0], now)
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per Append, want 0", allocs)
	}
}

func BenchmarkStrftime(b *testing.B) {
	s := CompileStrftime("%H:%M:%S %d.%m.%Y")
	buf := make([]byte, 0, 64)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		buf = s.Append(buf[:0], now)
	}
}
