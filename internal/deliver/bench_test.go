package deliver

import (
	"fmt"
	"testing"
)

// BenchmarkEnqueue spools a 200 KB JPEG: a hard link into the spool (same file system) or a
// copy (another one, or a file system without links), plus the synced JSON and directories.
func BenchmarkEnqueue(b *testing.B) {
	for _, noLink := range []bool{false, true} {
		b.Run(map[bool]string{false: "link", true: "copy"}[noLink], func(b *testing.B) {
			q, err := NewQueue(Options{Dir: b.TempDir(), Target: newFake("ftp", nil), MaxItems: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			q.noLink = noLink
			p, _ := picture(b, b.TempDir(), "2026-11-26_14-35-01.jpg", 200<<10, 9)
			b.ReportAllocs()
			b.SetBytes(200 << 10)
			for i := 0; b.Loop(); i++ {
				if err := q.Enqueue(Item{ID: fmt.Sprintf("ev%d-snapshot-ftp", i), Kind: Snapshot, Files: []string{p}}); err != nil {
					b.Fatal(err)
				}
				if i%256 == 255 { // keep the spool small: empty it outside the timing
					b.StopTimer()
					for _, e := range q.items {
						q.remove(e)
					}
					q.items, q.ids = nil, make(map[string]struct{})
					b.StartTimer()
				}
			}
		})
	}
}
