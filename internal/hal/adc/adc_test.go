package adc

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLight(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	le := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cases := []struct {
		name    string
		path    string
		want    int
		wantErr string
	}{
		{"day", write("day", le(187)), 187, ""},
		{"night", write("night", le(12)), 12, ""},
		{"only the first 4 bytes count", write("long", append(le(40), le(9999)...)), 40, ""},
		{"short read", write("short", []byte{1, 2}), 0, "sample 1: unexpected EOF"},
		{"no sensor", filepath.Join(dir, "absent"), 0, "absent: sample 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sensor{Path: tc.path}
			got, err := s.Light(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %d, %v, want %d", got, err, tc.want)
			}
		})
	}
}

// TestAverage gives a different sample on each open, as the device does.
func TestAverage(t *testing.T) {
	samples := []uint32{10, 20, 30, 41}
	var opens []string
	s := &Sensor{Samples: len(samples), open: func(p string) (io.ReadCloser, error) {
		opens = append(opens, p)
		v := samples[len(opens)-1]
		return io.NopCloser(bytes.NewReader(binary.LittleEndian.AppendUint32(nil, v))), nil
	}}
	got, err := s.Light(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != 25 { // (10+20+30+41)/4 = 25.25
		t.Errorf("got %d, want 25", got)
	}
	if len(opens) != 4 || opens[0] != DefaultPath {
		t.Errorf("got opens %v, want 4 of %s", opens, DefaultPath)
	}
}
