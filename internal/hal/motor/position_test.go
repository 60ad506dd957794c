package motor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/hal"
)

func hal0() hal.Position { return hal.Position{} }

func TestPositionFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, PositionFile)
	want := hal.Position{X: 1234, Y: 321}
	if err := WritePositionFile(path, want); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x: 1234\ny: 321\n" {
		t.Errorf("got file %q", b)
	}
	got, err := ReadPositionFile(path)
	if err != nil || got != want {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}

	cases := []struct{ name, text, want string }{
		{"firmware output", "x: 100\ny: 50\nspeed: 1000\n", ""},
		{"not a number", "x: 100\ny: up\n", "cameraposition:2: y must be a whole number"},
		{"missing y", "x: 100\n", "needs both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(path, []byte(tc.text), 0o644)
			_, err := ReadPositionFile(path)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
