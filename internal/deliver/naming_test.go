package deliver

import "testing"

func TestItemNaming(t *testing.T) {
	for _, tc := range []struct {
		it   Item
		want string
	}{
		{Item{ID: "a", Kind: Snapshot, Files: []string{"/s/x.jpeg"}, Name: "2026-11-26_14-35-01"}, "2026-11-26_14-35-01.jpeg"},
		{Item{ID: "b", Kind: Clip, Files: []string{"/s/x"}, Name: "n"}, "n.mp4"},
		{Item{ID: "c", Kind: Snapshot, Files: []string{`C:\s\x`}, Name: "n"}, "n.jpg"},
	} {
		if got, err := tc.it.FileName(); err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.it.ID, got, err, tc.want)
		}
	}
	for _, bad := range []Item{
		{ID: "nofile", Kind: Snapshot, Name: "n"},
		{ID: "climb", Kind: Snapshot, Files: []string{"/x.jpg"}, Name: "../n"},
		{ID: "empty", Kind: Snapshot, Files: []string{"/x.jpg"}},
	} {
		if _, err := bad.FileName(); !IsPermanent(err) {
			t.Errorf("%s: got %v, want a permanent error", bad.ID, err)
		}
	}
	if d, err := (Item{Kind: Clip}).DirFor("s", "v"); err != nil || d != "v" {
		t.Errorf("clip dir: got %q, %v", d, err)
	}
	if _, err := (Item{ID: "t", Kind: Text}).DirFor("s", "v"); !IsPermanent(err) {
		t.Errorf("text item: got %v, want a permanent error", err)
	}
}
