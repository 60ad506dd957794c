package shellconf

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, tc := range trickyCases {
		f.Add([]byte(tc.src), "v")
	}
	for _, s := range []string{"A='x", "A=\"x\\", "A=$(", "A=${", "A=`", "x \\", "A=1\r\nB='\r\n'\r\n", "export A=1 # c", "A=$'x'"} {
		f.Add([]byte(s), "it's $(x)\n")
	}
	if ents, err := os.ReadDir(fixtureDir); err == nil {
		for _, e := range ents {
			if src, err := os.ReadFile(fixtureDir + "/" + e.Name()); err == nil {
				f.Add(src, "two words")
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, value string) {
		d, err := Parse("f.conf", src)
		if d == nil {
			t.Fatal("Parse returned a nil Doc")
		}
		if !bytes.Equal(d.Bytes(), src) {
			t.Fatalf("round trip: got %q, want %q", d.Bytes(), src)
		}
		if err != nil {
			if d.Set("K", value) == nil {
				t.Fatal("Set on a doc that failed to parse: got nil error")
			}
			return
		}
		keys := append([]string{"K"}, d.Keys()...)
		if len(keys) > 3 {
			keys = keys[:3]
		}
		for _, key := range keys {
			d, _ := Parse("f.conf", src)
			err := d.Set(key, value)
			if strings.IndexByte(value, 0) >= 0 {
				if err == nil {
					t.Fatal("Set with a NUL byte: got nil error")
				}
				continue
			}
			if err != nil {
				t.Fatalf("Set(%s, %q) on %q: %v", key, value, src, err)
			}
			d2, err := Parse("f.conf", d.Bytes())
			if err != nil {
				t.Fatalf("re-parse after Set(%s): %v\n%q", key, err, d.Bytes())
			}
			got, _, found, err := d2.Static(key)
			if !found || err != nil || got != value {
				t.Fatalf("after Set(%s, %q): got %q found=%v err=%v\n%q", key, value, got, found, err, d.Bytes())
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile(fixtureDir + "/rtspserver.conf.dist")
	if err != nil {
		b.Skipf("firmware fixtures not found at %s: %v", fixtureDir, err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("rtspserver.conf", src); err != nil {
			b.Fatal(err)
		}
	}
}
