package board

import (
	"context"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// camera makes a fixture camera: cpuinfo, a driver dir, a sysfs GPIO tree
// with the Dafang pins exported and an ADC device file.
func camera(t *testing.T, cpu string, driver string) (dir string, cfg conf.HAL, opts Options) {
	t.Helper()
	dir = t.TempDir()
	write := func(path string, data []byte) {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "cpuinfo"), []byte("system type\t\t: "+cpu+"\nmachine\t\t\t: Unknown\n"))
	os.MkdirAll(filepath.Join(dir, "driver"), 0o755)
	if driver != "" {
		write(filepath.Join(dir, "driver", driver), nil)
	}
	write(filepath.Join(dir, "gpio", "export"), nil)
	for _, n := range []int{25, 26, 38, 39, 49} {
		for attr, v := range map[string]string{"direction": "in", "active_low": "0", "value": "0"} {
			write(filepath.Join(dir, "gpio", "gpio"+strconv.Itoa(n), attr), []byte(v))
		}
	}
	write(filepath.Join(dir, "adc"), binary.LittleEndian.AppendUint32(nil, 33))
	cfg = conf.DefaultHAL()
	cfg.GPIORoot = filepath.Join(dir, "gpio")
	cfg.LightSensorDevice = filepath.Join(dir, "adc")
	cfg.MotorDevice = filepath.Join(dir, "no-motor")
	opts = Options{
		Log: quiet(), CPUInfo: filepath.Join(dir, "cpuinfo"), DriverDir: filepath.Join(dir, "driver"),
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
	return dir, cfg, opts
}

func value(t *testing.T, dir string, n int) string {
	b, err := os.ReadFile(filepath.Join(dir, "gpio", "gpio"+strconv.Itoa(n), "value"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDetect(t *testing.T) {
	cases := []struct{ cpu, driver, want string }{
		{"Ingenic Xburst", "8189es.ko", conf.BoardDafang},
		{"Ingenic Xburst", "8189fs.ko", conf.BoardXiaofang},
		{"AMD Ryzen 7", "", conf.BoardSim},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			dir, _, _ := camera(t, tc.cpu, tc.driver)
			if got := Detect(filepath.Join(dir, "cpuinfo"), filepath.Join(dir, "driver")); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := Detect("/nonexistent/cpuinfo", "/nonexistent"); got != conf.BoardSim {
		t.Errorf("got %q without cpuinfo, want sim", got)
	}
}

func TestSimBoard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, cfg, opts := camera(t, "AMD", "")
		var mu sync.Mutex
		var changes []hal.State
		opts.OnChange = func(s hal.State) {
			mu.Lock()
			changes = append(changes, s)
			mu.Unlock()
		}
		cfg.SimDayCycle = 100 * time.Second
		b, err := Open(context.Background(), cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		d := b.Device
		if b.Name != "sim" || d.BlueLED == nil || d.YellowLED == nil || d.IRLED == nil || d.IRCut == nil || d.Motor == nil || d.Light == nil {
			t.Fatalf("got board %q with %+v, want sim with every capability", b.Name, d.State())
		}
		if err := d.IRCut.SetDay(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		if err := d.IRLED.Set(true); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Motor.Move(context.Background(), 100, 10); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(changes) != 3 || changes[0].IRCutDay || changes[0].IRLED || !changes[1].IRLED || changes[2].Motor != (hal.Position{X: 100, Y: 10}) {
			t.Errorf("got changes %+v, want IR cut night, then IR LED on, then motor at 100,10", changes)
		}
		mu.Unlock()

		// The light follows the script: day at the start, night half way.
		if s := d.State(); s.Light != -1 {
			t.Errorf("got light %d before any read, want -1", s.Light)
		}
		lvl, _ := d.Light.Light(context.Background())
		if lvl < 190 {
			t.Errorf("got %d at dawn of the simulated day, want about 200", lvl)
		}
		time.Sleep(60 * time.Second)
		lvl, _ = d.Light.Light(context.Background())
		if lvl > 20 {
			t.Errorf("got %d at 60 %% of the day, want about 10", lvl)
		}
		if s := d.State(); s.Light != lvl {
			t.Errorf("got state light %d, want the last read %d", s.Light, lvl)
		}
		b.SimLight.SetLight(77)
		if lvl, _ = d.Light.Light(context.Background()); lvl != 77 {
			t.Errorf("got %d after SetLight(77)", lvl)
		}
	})
}

func TestDafangBoard(t *testing.T) {
	dir, cfg, opts := camera(t, "Ingenic Xburst", "8189es.ko")
	cfg.Motor = "none" // there is no /dev/motor here
	b, err := Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := b.Device
	if b.Name != "dafang" || d.Motor != nil || d.Light == nil || d.IRCut == nil {
		t.Fatalf("got board %q state %+v", b.Name, d.State())
	}
	if err := d.BlueLED.Set(true); err != nil {
		t.Fatal(err)
	}
	if got := value(t, dir, 39); got != "0" {
		t.Errorf("got blue LED value %q, want 0 (on)", got)
	}
	if got := value(t, dir, 38); got != "1" {
		t.Errorf("got yellow LED value %q, want 1 (off)", got)
	}
	if lvl, err := d.Light.Light(context.Background()); err != nil || lvl != 33 {
		t.Errorf("got light %d, %v, want 33", lvl, err)
	}
	s := d.State()
	if !s.BlueLED || s.YellowLED || !s.IRCutDay || s.HasMotor || s.Light != 33 {
		t.Errorf("got state %+v", s)
	}
}

func TestDafangMotorMissing(t *testing.T) {
	_, cfg, opts := camera(t, "Ingenic Xburst", "8189es.ko")
	_, err := Open(context.Background(), cfg, opts)
	if err == nil || !strings.Contains(err.Error(), "no-motor") || !strings.Contains(err.Error(), "MOTOR=none") {
		t.Errorf("got %v, want an error naming the device and MOTOR=none", err)
	}
}

func TestCustomBoard(t *testing.T) {
	dir, cfg, opts := camera(t, "Ingenic", "")
	cfg.Board = conf.BoardCustom
	cfg.YellowLED = conf.HALOutput{GPIO: 38, OnValue: 1}
	b, err := Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := b.Device
	if d.BlueLED != nil || d.IRLED != nil || d.IRCut != nil || d.Motor != nil || d.Light != nil || d.YellowLED == nil {
		t.Fatalf("got %+v, want only the yellow LED", d.State())
	}
	if err := d.YellowLED.Set(true); err != nil {
		t.Fatal(err)
	}
	if got := value(t, dir, 38); got != "1" {
		t.Errorf("got %q, want 1 (ON_VALUE=1)", got)
	}
}

func TestXiaofangNoSensor(t *testing.T) {
	dir, cfg, opts := camera(t, "Ingenic", "8189fs.ko")
	os.Remove(filepath.Join(dir, "adc"))
	b, err := Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Name != "xiaofang" || b.Device.Motor != nil || b.Device.Light != nil {
		t.Errorf("got %q %+v, want xiaofang without motor or light sensor", b.Name, b.Device.State())
	}
	cfg.LightSensor = "adc"
	if _, err := Open(context.Background(), cfg, opts); err == nil || !strings.Contains(err.Error(), "LIGHT_SENSOR=adc") {
		t.Errorf("got %v, want an error for an explicit adc without a device", err)
	}
}
