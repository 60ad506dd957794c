package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/tlscert"
)

// newConfigDir makes a config directory as a running camera has it: the .conf files from the
// built-in defaults, an admin and a digest account (so freecam.key exists), autostart files,
// the self-signed TLS pair, plus things a backup must leave out.
func newConfigDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := conf.EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Options{ConfigDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.EnsureAdmin(); err != nil {
		t.Fatal(err)
	}
	if err := a.SetPassword("nvr", auth.Viewer, "nvr-password-1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := tlscert.New(tlscert.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "autostart/rtsp", "# marker\n", 0o644)
	write(t, dir, "autostart/onvif", "# marker\n", 0o644)
	write(t, dir, "hostname.conf", "frontdoor\n", 0o644)
	write(t, dir, "rtspserver.conf.dist", "PORT=1\n", 0o644) // a .dist: never backed up
	write(t, dir, "cameraposition", "x:10\ny:20\n", 0o644)   // runtime state
	write(t, dir, "userscripts/motiondetection/x.sh", "#!/bin/sh\n", 0o755)
	write(t, dir, "notes.txt", "mine\n", 0o644) // not a config file
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "swap.conf")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, dir, name, content string, mode fs.FileMode) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// tree is every file under dir (links as "-> target") with its mode: what "nothing was
// written" is checked against.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "-> " + target
		case fi.IsDir():
			out[rel+"/"] = fi.Mode().String()
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fi.Mode().String() + " " + string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffTrees(got, want map[string]string) []string {
	var d []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			d = append(d, "missing "+k)
		} else if g != v {
			d = append(d, "changed "+k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, "extra "+k)
		}
	}
	sort.Strings(d)
	return d
}

// archiveNames lists the entries of a tar.gz.
func archiveNames(t *testing.T, data []byte) []string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			if err.Error() == "EOF" {
				return names
			}
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// tarEntry is one entry of a hand-made archive; Type 0 is a regular file.
type tarEntry struct {
	Name, Body, Link string
	Type             byte
	Size             int64 // the header's size, when not len(Body)
	Mode             int64
}

// makeArchive builds a tar.gz from entries, as an attacker could.
func makeArchive(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Typeflag: e.Type, Linkname: e.Link, Mode: e.Mode, ModTime: time.Unix(1700000000, 0)}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.Body))
			if e.Size > 0 {
				h.Size = e.Size
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			body := []byte(e.Body)
			if e.Size > 0 {
				body = bytes.Repeat([]byte{'#'}, int(e.Size))
			}
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reasons(es []Entry) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.File + ": " + e.Reason + "\n")
	}
	return b.String()
}
