package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestClipFinderPicksTheSegmentHoldingAMoment(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 11, 26, 14, 0, 0, 0, time.Local)
	for _, name := range []string{"14/REC_14-50-00.mp4", "14/REC_14-55-00.mp4", "14/REC_14-55-00_1.mp4.part", "15/REC_15-00-00.mp4"} {
		p := filepath.Join(dir, day.Format("2006-01-02"), name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
		os.Chtimes(p, time.Time{}, day.Add(3*time.Hour)) // finished long after the moments asked for
	}
	// A segment cut short: the recording stopped at 14:46, so it does not hold 14:48.
	short := filepath.Join(dir, day.Format("2006-01-02"), "14", "REC_14-45-00.mp4")
	os.WriteFile(short, nil, 0o644)
	os.Chtimes(short, time.Time{}, day.Add(46*time.Minute))
	c := clipFinder{dir: dir, segment: 5 * time.Minute, listed: map[string][]string{}}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{day.Add(52 * time.Minute), "2026-11-26/14/REC_14-50-00.mp4"},
		{day.Add(59*time.Minute + 59*time.Second), "2026-11-26/14/REC_14-55-00.mp4"},
		{day.Add(61 * time.Minute), "2026-11-26/15/REC_15-00-00.mp4"},
		{day.Add(40 * time.Minute), ""}, // nothing recorded then
		{day.Add(45*time.Minute + 30*time.Second), "2026-11-26/14/REC_14-45-00.mp4"},
		{day.Add(48 * time.Minute), ""}, // after the short segment ended
		{day.Add(2 * time.Hour), ""},    // the 15:00 segment ended long before
	} {
		if got := c.find(tc.at); got != tc.want {
			t.Errorf("clip at %s: got %q, want %q", tc.at.Format("15:04:05"), got, tc.want)
		}
	}
}
