package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfImport(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		dryRun  bool
		code    int
		out     []string
		written bool
	}{
		{"applied", map[string]string{"rtspserver.conf": "# c\nPORT=8555\nLOG=true\n"}, false, 0,
			[]string{"applied (1):\n  rtspserver.conf:2 PORT: taken into rtspserver.conf\n", "rtspserver.conf:3 LOG: freecam does not use this key", "written: rtspserver.conf"}, true},
		{"dry run", map[string]string{"rtspserver.conf": "PORT=8555\n"}, true, 0,
			[]string{"applied (1):", "dry run: nothing was written"}, false},
		{"refused", map[string]string{"rtspserver.conf": "PORT=99999\n", "lighttpd.user": "root:ismart12\n"}, false, 1,
			[]string{"refused (1):", "\n  rtspserver.conf:1 PORT: must be between 1 and 65535 (got \"99999\")\n", "lighttpd.user: the firmware's web password file holds the public default password", "nothing was written"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), filepath.Join(t.TempDir(), "config")
			for n, d := range tc.files {
				if err := os.WriteFile(filepath.Join(src, n), []byte(d), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"conf", "import", "--config", dst}
			if tc.dryRun {
				args = append(args, "--dry-run")
			}
			var out, errOut strings.Builder
			if code := Main(append(args, src), &out, &errOut); code != tc.code {
				t.Fatalf("got exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errOut.String())
			}
			for _, want := range tc.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("got output\n%s\nwant it to contain %q", out.String(), want)
				}
			}
			_, err := os.Stat(filepath.Join(dst, "rtspserver.conf"))
			if got := err == nil; got != tc.written {
				t.Errorf("rtspserver.conf written: got %t, want %t", got, tc.written)
			}
		})
	}
}

// A second import of the same card changes nothing and says so.
func TestConfImportTwice(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(filepath.Join(src, "rtspserver.conf"), []byte("PORT=8555\nUSERNAME=cam\nUSERPASSWORD=pw\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	if code := Main([]string{"conf", "import", "--config", dst, src}, &out, &errOut); code != 0 {
		t.Fatalf("first import: got exit %d, want 0; %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "imported: 3 applied, 0 ignored") {
		t.Fatalf("first import: got\n%s\nwant 3 applied", out.String())
	}
	out.Reset()
	if code := Main([]string{"conf", "import", "--config", dst, src}, &out, &errOut); code != 0 {
		t.Fatalf("second import: got exit %d, want 0; %s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"applied (0):\n", "rtspserver.conf:3 USERPASSWORD: already so in freecam's rtspserver.conf\n",
		"written: nothing (nothing to change)\n", "imported: 0 applied, 3 ignored\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("second import: got\n%s\nwant it to contain %q", out.String(), want)
		}
	}
	if strings.Contains(out.String(), "picks the files up") {
		t.Errorf("second import: got\n%s\nwant no reload hint (nothing was written)", out.String())
	}
}

func TestConfImportUsage(t *testing.T) {
	var out, errOut strings.Builder
	if code := Main([]string{"conf", "import"}, &out, &errOut); code != 2 {
		t.Errorf("got exit %d without SRC, want 2", code)
	}
	if !strings.Contains(errOut.String(), "usage: freecam conf import") {
		t.Errorf("got %q, want the usage", errOut.String())
	}
}
