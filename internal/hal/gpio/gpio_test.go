package gpio

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixture makes a sysfs GPIO tree with the given pins already exported
// (direction in, active_low 0, value 0) and a Chip whose export creates
// the pin directory the way the kernel does.
func fixture(t *testing.T, exported ...int) (string, Chip) {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{"export", "unexport"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(n int) {
		dir := filepath.Join(root, "gpio"+strconv.Itoa(n))
		os.Mkdir(dir, 0o755)
		for attr, v := range map[string]string{"direction": "in\n", "active_low": "0\n", "value": "0\n"} {
			if err := os.WriteFile(filepath.Join(dir, attr), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range exported {
		mk(n)
	}
	return root, Chip{Root: root, afterExport: mk}
}

func attr(t *testing.T, root string, n int, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "gpio"+strconv.Itoa(n), name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// pins reads "direction active_low value" of each pin.
func pins(t *testing.T, root string, ns ...int) map[int]string {
	m := make(map[int]string)
	for _, n := range ns {
		m[n] = attr(t, root, n, "direction") + " " + attr(t, root, n, "active_low") + " " + attr(t, root, n, "value")
	}
	return m
}

func checkPins(t *testing.T, what string, got, want map[int]string) {
	t.Helper()
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s: gpio%d got %q, want %q (direction active_low value)", what, n, got[n], w)
		}
	}
}

// openDafang opens the Dafang profile with 49 not yet exported and a Sleep
// that records the pins during each pulse.
func openDafang(t *testing.T) (string, *Board, *[]map[int]string, string) {
	t.Helper()
	root, chip := fixture(t, 25, 26, 38, 39)
	state := filepath.Join(t.TempDir(), "ircut")
	var pulses []map[int]string
	b, err := Open(context.Background(), Config{
		Chip: chip, Profile: Dafang(), Pulse: 5 * time.Millisecond, StateFile: state,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if d != 5*time.Millisecond {
				t.Errorf("got pulse %v, want 5ms", d)
			}
			pulses = append(pulses, pins(t, root, 25, 26))
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return root, b, &pulses, state
}

func TestOpenDafang(t *testing.T) {
	root, b, pulses, state := openDafang(t)
	if got, _ := os.ReadFile(filepath.Join(root, "export")); string(got) != "49" {
		t.Errorf("got export %q, want \"49\" (only the pin not yet exported)", got)
	}
	// The firmware's start-up state: everything off, IR cut in (day).
	checkPins(t, "after open", pins(t, root, 25, 26, 38, 39, 49), map[int]string{
		25: "out 0 0", 26: "out 0 0", 38: "out 0 1", 39: "out 0 1", 49: "out 1 1",
	})
	if len(*pulses) != 1 {
		t.Fatalf("got %d IR-cut pulses at open, want 1", len(*pulses))
	}
	checkPins(t, "during the day pulse", (*pulses)[0], map[int]string{25: "out 0 0", 26: "out 0 1"})
	if got, _ := os.ReadFile(state); string(got) != "1\n" {
		t.Errorf("got state file %q, want \"1\\n\"", got)
	}
	if b.BlueLED.On() || b.YellowLED.On() || b.IRLED.On() || !b.IRCut.Day() {
		t.Errorf("got blue %t yellow %t ir %t day %t, want off off off day", b.BlueLED.On(), b.YellowLED.On(), b.IRLED.On(), b.IRCut.Day())
	}
}

func TestSwitches(t *testing.T) {
	root, b, _, _ := openDafang(t)
	cases := []struct {
		name string
		s    *Switch
		pin  int
		on   bool
		want string
	}{
		{"blue on writes 0", b.BlueLED, 39, true, "out 0 0"},
		{"blue off writes 1", b.BlueLED, 39, false, "out 0 1"},
		{"yellow on writes 0", b.YellowLED, 38, true, "out 0 0"},
		{"yellow off writes 1", b.YellowLED, 38, false, "out 0 1"},
		{"ir led on writes 0 with active_low 1", b.IRLED, 49, true, "out 1 0"},
		{"ir led off writes 1", b.IRLED, 49, false, "out 1 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.s.Set(tc.on); err != nil {
				t.Fatal(err)
			}
			checkPins(t, tc.name, pins(t, root, tc.pin), map[int]string{tc.pin: tc.want})
			if tc.s.On() != tc.on {
				t.Errorf("got On %t, want %t", tc.s.On(), tc.on)
			}
		})
	}
}

func TestIRCutSequence(t *testing.T) {
	root, b, pulses, state := openDafang(t)
	*pulses = nil
	steps := []struct {
		day   bool
		pulse map[int]string
		file  string
	}{
		{false, map[int]string{25: "out 0 1", 26: "out 0 0"}, "0\n"},
		{true, map[int]string{25: "out 0 0", 26: "out 0 1"}, "1\n"},
	}
	for i, s := range steps {
		if err := b.IRCut.SetDay(context.Background(), s.day); err != nil {
			t.Fatal(err)
		}
		checkPins(t, "during pulse "+strconv.Itoa(i), (*pulses)[i], s.pulse)
		checkPins(t, "after pulse "+strconv.Itoa(i), pins(t, root, 25, 26), map[int]string{25: "out 0 0", 26: "out 0 0"})
		if b.IRCut.Day() != s.day {
			t.Errorf("got Day %t, want %t", b.IRCut.Day(), s.day)
		}
		if got, _ := os.ReadFile(state); string(got) != s.file {
			t.Errorf("got state file %q, want %q", got, s.file)
		}
	}
}

func TestIRCutCancelledPulse(t *testing.T) {
	root, b, _, _ := openDafang(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.IRCut.SetDay(ctx, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	checkPins(t, "after a cancelled pulse", pins(t, root, 25, 26), map[int]string{25: "out 0 0", 26: "out 0 0"})
	if !b.IRCut.Day() {
		t.Error("got night after a cancelled switch, want the state unchanged (day)")
	}
}

func TestRealSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := sleep(ctx, time.Millisecond); err != nil {
		t.Errorf("got %v, want nil", err)
	}
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestOutputErrors(t *testing.T) {
	t.Run("export never appears", func(t *testing.T) {
		_, chip := fixture(t)
		chip.afterExport = nil
		chip.ExportTimeout = 20 * time.Millisecond
		_, err := chip.Output(49, true)
		if err == nil || !strings.Contains(err.Error(), "gpio49 did not appear") {
			t.Errorf("got %v, want an error saying gpio49 did not appear", err)
		}
	})
	t.Run("missing attribute", func(t *testing.T) {
		root, chip := fixture(t, 38)
		os.Remove(filepath.Join(root, "gpio38", "active_low"))
		_, err := chip.Output(38, false)
		if err == nil || !strings.Contains(err.Error(), "gpio 38: write active_low") {
			t.Errorf("got %v, want an error about gpio 38 active_low", err)
		}
		if _, err := os.Stat(filepath.Join(root, "gpio38", "active_low")); err == nil {
			t.Error("the missing attribute was created, want it left missing as in sysfs")
		}
	})
	t.Run("no export file", func(t *testing.T) {
		chip := Chip{Root: t.TempDir()}
		if _, err := chip.Output(26, false); err == nil || !strings.Contains(err.Error(), "gpio: export 26") {
			t.Errorf("got %v, want an export error", err)
		}
	})
}

func TestSwitchReadsInitialState(t *testing.T) {
	root, chip := fixture(t, 39)
	os.WriteFile(filepath.Join(root, "gpio39", "value"), []byte("0\n"), 0o644)
	p, err := chip.Output(39, false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSwitch(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !s.On() {
		t.Error("got off, want on (value 0 is on for the Dafang LEDs)")
	}
}
