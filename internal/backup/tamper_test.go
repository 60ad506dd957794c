package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// gzipOf compresses data.
func gzipOf(t *testing.T, data io.Reader) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := io.Copy(gz, data); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return buf.Bytes()
}

// Every tampered archive is refused with the reason, and the config directory is left exactly
// as it was.
func TestTamperedArchivesAreRefused(t *testing.T) {
	good := tarEntry{Name: "osd.conf", Body: "ENABLE_OSD=false\n"}
	valid := makeArchive(t, good)
	corrupt := bytes.Clone(valid)
	corrupt[len(corrupt)/2] ^= 0xff
	corrupt[len(corrupt)/2+1] ^= 0xff
	many := []tarEntry{good}
	for i := range 300 {
		many = append(many, tarEntry{Name: fmt.Sprintf("junk%03d.txt", i), Body: "x"})
	}
	random := make([]byte, 64<<10)
	rand.Read(random)
	// 16 MiB of zeros in a few KiB: tar sees its end-of-archive blocks at once, the reader must
	// still not inflate all of it.
	bomb := gzipOf(t, io.LimitReader(zeroReader{}, 16<<20))

	for _, tc := range []struct {
		name    string
		archive []byte
		o       RestoreOptions
		want    error
		reason  string
	}{
		{"path traversal", makeArchive(t, good, tarEntry{Name: "../x", Body: "owned\n"}), RestoreOptions{}, ErrMalformed, "a path with .."},
		{"traversal inside a dir", makeArchive(t, tarEntry{Name: "autostart/../../x", Body: "owned\n"}), RestoreOptions{}, ErrMalformed, "a path with .."},
		{"absolute path", makeArchive(t, tarEntry{Name: "/etc/passwd", Body: "root::0:0::/:/bin/sh\n"}), RestoreOptions{}, ErrMalformed, "an absolute path"},
		{"symlink", makeArchive(t, tarEntry{Name: "rtspserver.conf", Type: tar.TypeSymlink, Link: "/etc/shadow"}, good), RestoreOptions{}, ErrMalformed, "a symbolic link"},
		{"hardlink", makeArchive(t, tarEntry{Name: "osd.conf", Type: tar.TypeLink, Link: "/etc/shadow"}), RestoreOptions{}, ErrMalformed, "a hard link"},
		{"device", makeArchive(t, good, tarEntry{Name: "autostart/rtsp", Type: tar.TypeChar}), RestoreOptions{}, ErrMalformed, "a device"},
		{"fifo", makeArchive(t, tarEntry{Name: "motion.conf", Type: tar.TypeFifo}), RestoreOptions{}, ErrMalformed, "a named pipe"},
		{"huge file", makeArchive(t, tarEntry{Name: "motion.conf", Size: 2 << 20}), RestoreOptions{}, ErrMalformed, "more than the 1048576 a config file may have"},
		{"huge ignored file", makeArchive(t, good, tarEntry{Name: "video.mp4", Size: 2 << 20}), RestoreOptions{}, ErrMalformed, "more than the 1048576"},
		{"files add up", makeArchive(t, tarEntry{Name: "a.txt", Size: 600}, tarEntry{Name: "b.txt", Size: 600}), RestoreOptions{MaxTotalSize: 1000}, ErrMalformed, "add up to more than 1000 bytes"},
		{"gzip bomb", bomb, RestoreOptions{}, ErrMalformed, "unpacks to more than"},
		{"too many files", makeArchive(t, many...), RestoreOptions{}, ErrMalformed, "more than 256 entries"},
		{"archive too large", makeArchive(t, tarEntry{Name: "a.txt", Body: string(random)}), RestoreOptions{MaxArchiveSize: 32 << 10}, ErrMalformed, "larger than 32768 bytes"},
		{"corrupt gzip", corrupt, RestoreOptions{}, ErrMalformed, ""},
		{"not gzip", []byte("PORT=8554\n"), RestoreOptions{}, ErrMalformed, "not a tar.gz archive"},
		{"cut short", valid[:len(valid)-20], RestoreOptions{}, ErrMalformed, ""},
		{"gzip of no tar", gzipOf(t, strings.NewReader("just some text, not a tar archive at all, long enough to fill a block? no.")), RestoreOptions{}, ErrMalformed, ""},
		{"duplicate", makeArchive(t, good, good), RestoreOptions{}, ErrMalformed, "appears twice"},
		{"invalid value", makeArchive(t, good, tarEntry{Name: "rtspserver.conf", Body: "# port\nPORT=99999\n"}), RestoreOptions{}, ErrInvalid,
			"rtspserver.conf:2: PORT: must be between 1 and 65535"},
		{"users file does not parse", makeArchive(t, good, tarEntry{Name: "freecam.users", Body: "# accounts\nadmin:admin\n"}), RestoreOptions{}, ErrInvalid, "freecam.users:2: want name:role"},
		{"users file without admin", makeArchive(t, tarEntry{Name: "freecam.users", Body: ""}), RestoreOptions{}, ErrInvalid, "no admin account"},
		{"binary config file", makeArchive(t, tarEntry{Name: "hostname.conf", Body: "cam\x00\x01"}), RestoreOptions{}, ErrInvalid, "not a text file"},
		{"certificate without key", makeArchive(t, tarEntry{Name: "tls/user.crt", Body: "-----BEGIN CERTIFICATE-----\n"}), RestoreOptions{}, ErrInvalid, "only with its key"},
		{"bad ptz presets", makeArchive(t, tarEntry{Name: "ptz_presets.conf", Body: "{not json"}), RestoreOptions{}, ErrInvalid, "ptz_presets.conf"},
		{"nothing freecam uses", makeArchive(t, tarEntry{Name: "rtspserver.conf.dist", Body: "PORT=1\n"}), RestoreOptions{}, ErrInvalid, "no config file freecam uses"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := newConfigDir(t)
			before := tree(t, dir)
			cr := &countingReader{r: bytes.NewReader(tc.archive)}
			rep, err := Restore(cr, dir, tc.o)
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrRefused) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			t.Log(err)
			if len(rep.Refused) == 0 || !strings.Contains(reasons(rep.Refused), tc.reason) {
				t.Errorf("refused: got %q, want a reason with %q", reasons(rep.Refused), tc.reason)
			}
			if len(rep.Restored) != 0 {
				t.Errorf("restored: got %v, want none", rep.Restored)
			}
			if d := diffTrees(tree(t, dir), before); len(d) > 0 {
				t.Errorf("a refused archive changed the config dir: %v", d)
			}
			if tc.name == "gzip bomb" && cr.n >= len(tc.archive) {
				t.Errorf("gzip bomb: read all %d compressed bytes, want the read stopped at the limit", cr.n)
			}
		})
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
