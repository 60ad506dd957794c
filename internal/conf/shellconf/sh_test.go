package shellconf

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixtureDir is the firmware's own config files, shared read-only by the
// workspace (see its README.md).
const fixtureDir = "../../../../shared/fixtures/dafang-config"

func fixtures(tb testing.TB) []string {
	tb.Helper()
	ents, err := os.ReadDir(fixtureDir)
	if err != nil {
		tb.Skipf("firmware fixtures not found at %s (a clone outside the workspace): %v", fixtureDir, err)
	}
	var files []string
	for _, e := range ents {
		if e.Type().IsRegular() && e.Name() != "README.md" {
			files = append(files, filepath.Join(fixtureDir, e.Name()))
		}
	}
	if len(files) == 0 {
		tb.Fatalf("no fixture files in %s", fixtureDir)
	}
	return files
}

// shScript sources the file given as $1 in an empty environment and prints,
// for each key named in the remaining arguments, "KEY=1value" or "KEY=0"
// (unset), NUL-terminated. The keys come from the parser and are valid
// names, so eval only ever sees "name=$name".
const shScript = `__fc_f=$1; shift
. "$__fc_f"
for __fc_k do
	eval "__fc_s=\${$__fc_k+x}"
	if [ -n "$__fc_s" ]; then
		eval "__fc_v=\$$__fc_k"
		printf '%s=1%s\0' "$__fc_k" "$__fc_v"
	else
		printf '%s=0\0' "$__fc_k"
	fi
done`

type shResult struct {
	set   bool
	value string
}

// runSh sources path with sh and returns what sh assigned to keys.
func runSh(t *testing.T, path string, keys []string) (map[string]shResult, error) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skipf("no sh to compare with: %v", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, append([]string{"-c", shScript, "sh", abs}, keys...)...)
	cmd.Env = []string{} // like env -i
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &shError{err: err, stderr: stderr.String()}
	}
	res := make(map[string]shResult)
	for _, rec := range strings.Split(string(out), "\x00") {
		k, v, ok := strings.Cut(rec, "=")
		if !ok || v == "" {
			continue
		}
		res[k] = shResult{set: v[0] == '1', value: v[1:]}
	}
	return res, nil
}

type shError struct {
	err    error
	stderr string
}

func (e *shError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

// compareWithSh checks every static key of d against sh's value for the
// same file. With checkCmd, a key whose raw value has "$(" or a backtick
// must be flagged dynamic (true of the fixtures, which quote no backticks).
func compareWithSh(t *testing.T, d *Doc, sh map[string]shResult, checkCmd bool) {
	t.Helper()
	keys := d.Keys()
	if len(keys) > 0 && len(sh) != len(keys) {
		t.Fatalf("sh printed %d keys, want %d", len(sh), len(keys))
	}
	for _, k := range keys {
		e, _ := d.Lookup(k)
		raw := e.Value.Raw
		hasCmd := strings.Contains(raw, "$(") || strings.Contains(raw, "`")
		if checkCmd && hasCmd && !e.Value.Dynamic {
			t.Errorf("%s:%d: %s=%s: got static %q, want dynamic (command substitution)", d.Name, e.Line, k, raw, e.Value.Text)
		}
		if e.Value.Dynamic {
			continue
		}
		got := sh[k]
		if !got.set {
			t.Errorf("%s:%d: %s: sh left it unset, parser has %q", d.Name, e.Line, k, e.Value.Text)
			continue
		}
		if got.value != e.Value.Text {
			t.Errorf("%s:%d: %s=%s: got %q, sh says %q", d.Name, e.Line, k, raw, e.Value.Text, got.value)
		}
	}
}

// assignmentsOnly returns the document with every non-assignment line
// blanked (line numbers kept), for files sh cannot source as a whole.
func assignmentsOnly(d *Doc) []byte {
	var b strings.Builder
	for _, e := range d.Entries {
		if e.Kind == Other {
			b.WriteString(strings.Repeat("\n", strings.Count(e.Raw, "\n")))
			continue
		}
		b.WriteString(e.Raw)
	}
	return []byte(b.String())
}

func TestFixturesAgainstSh(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(filepath.Base(path), src)
			if err != nil {
				t.Fatalf("every fixture must load: %v", err)
			}
			if !bytes.Equal(d.Bytes(), src) {
				t.Fatalf("round trip differs")
			}
			for _, w := range d.Warnings {
				t.Logf("warning: %s", w)
			}
			sh, err := runSh(t, path, d.Keys())
			if err != nil {
				// Files that are not shell at all (JSON, wpa_supplicant's
				// network={…} block) stop sh with a syntax error; compare
				// their assignment lines on their own.
				t.Logf("sh cannot source the whole file (%v); comparing its assignment lines", err)
				tmp := filepath.Join(t.TempDir(), d.Name)
				if err := os.WriteFile(tmp, assignmentsOnly(d), 0o600); err != nil {
					t.Fatal(err)
				}
				if sh, err = runSh(t, tmp, d.Keys()); err != nil {
					t.Fatalf("sh on the assignment lines: %v", err)
				}
			}
			compareWithSh(t, d, sh, true)
		})
	}
}

func TestFixtureDynamicKeys(t *testing.T) {
	fixtures(t)
	tests := []struct{ file, key string }{
		{"rtspserver.conf.dist", "SUB_DIR"},
		{"rtspserver.conf.dist", "FILE_NAME"},
		{"sendmail.conf.dist", "FROMNAME"},
		{"sendmail.conf.dist", "BODY"},
		{"telegram.conf.dist", "apiToken"}, // "…$$w": $$ is sh's PID
	}
	for _, tt := range tests {
		d, err := ReadFile(filepath.Join(fixtureDir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := d.Static(tt.key); err == nil {
			t.Errorf("%s %s: got a static value, want an error", tt.file, tt.key)
		}
	}
	d, err := ReadFile(filepath.Join(fixtureDir, "rtspserver.conf.dist"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _, err := d.Static("LOGPATH"); err != nil || got != "/tmp/v4l2rtspserver-master.log" {
		t.Errorf("LOGPATH: got %q (%v), want /tmp/v4l2rtspserver-master.log", got, err)
	}
}

// trickyCases are hand-written files compared with sh. Keys listed in
// dynamic must be flagged dynamic; every other key must match sh exactly.
var trickyCases = []struct {
	name, src string
	dynamic   []string
}{
	{"plain and export", "A=hello\nexport B=world\nexport\tC=tab\n", nil},
	{"single quotes", "A='a b  c'\nB='say \"hi\" $A `x` \\'\n", nil},
	{"double quote escapes", "A=\"q\\\"u \\\\ \\$X \\` \\n \\a\"\n", nil},
	{"unquoted escapes", "A=a\\ b\\\\c\\$d\\'e\\\"f\n", nil},
	{"concatenation", "A=a\"b c\"'d'e\\ f\n", nil},
	{"variables", "X=v\nA=$X-${X}y\"$X\"'$X'\nB=\"${X}_$X.\"\n", nil},
	{"unknown variables", "A=pre${NOPE}post$NOPE2.\n", nil},
	{"hash", "A=a#b\nB=a #c\nC=\"a # b\" # c\nD=#x\n", nil},
	{"empty values", "A=\nB=\"\"\nC=''\nD= # c\n", nil},
	{"continuation", "A=abc\\\ndef\nB=\"abc\\\ndef\"\nC='abc\\\ndef'\n", nil},
	{"multi-line quotes", "A='l1\nl2'\nB=\"l1\nl2\"\n", nil},
	{"literal dollars", "A=cost$\nB=\"$\"\nC=a$.b\nD=$'x'\nE=\"$ x\"\n", nil},
	{"quotes in quotes", "A=\"it's\"\nB='say \"hi\"'\nC=\\'\n", nil},
	{"no globbing", "A=*\nB=?\nC=[a]\nD={x}\nE=a}b\nF=a=b\n", nil},
	{"redefinition", "A=1\nA=2\nB=x\nB=$B:y\n", nil},
	{"indentation and trailing blanks", "  \tA=1   \n\tB='2'\t# c\n", nil},
	{"utf-8", "A=héllo\" wörld\"\n", nil},
	{"comments with quotes", "# it's fine\nA=1 # don't\n", nil},
	{"other lines", "true\n: 'x\ny'\nA=1\n", nil},
	{"no final newline", "A=1\nB=two", nil},
	{"command substitutions", "A=$(echo hi)\nB=`echo hi`\nC=\"$(date)/x\"\nD=$(echo ')')\nE=after\n", []string{"A", "B", "C", "D"}},
	{"other dynamic", "A=$((1+2))\nB=$$\nC=${A:-x}\nD=$HOME\nE=~\nF=x:~/y\nG=$1\n", []string{"A", "B", "C", "D", "E", "F", "G"}},
	{"dynamic propagates", "A=$(date)\nB=$A/x\nC=\"${A}\"\nD=plain\n", []string{"A", "B", "C"}},
}

func TestTrickyAgainstSh(t *testing.T) {
	for _, tc := range trickyCases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("t.conf", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			want := make(map[string]bool)
			for _, k := range tc.dynamic {
				want[k] = true
			}
			for _, k := range d.Keys() {
				e, _ := d.Lookup(k)
				if e.Value.Dynamic != want[k] {
					t.Errorf("%s=%s: got dynamic=%v, want %v", k, e.Value.Raw, e.Value.Dynamic, want[k])
				}
			}
			path := filepath.Join(t.TempDir(), "t.conf")
			if err := os.WriteFile(path, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			sh, err := runSh(t, path, d.Keys())
			if err != nil {
				t.Fatalf("sh: %v", err)
			}
			compareWithSh(t, d, sh, false)
		})
	}
}

// TestSetAgainstSh checks that what Set writes is read back by sh as the
// same literal string, whatever it contains: nothing written becomes code.
func TestSetAgainstSh(t *testing.T) {
	values := []string{
		"", "plain", "two words", "it's", `"double"`, "$(touch pwned)", "`touch pwned`",
		"$HOME", "a\nb", "back\\slash", "~", "#hash", "a;b&c|d", "trailing\\", "'", "''", "\t x \r",
	}
	d := mustParse(t, "# header\nA=old # keep\n")
	var keys []string
	for i, v := range values {
		key := "K" + string(rune('A'+i))
		if i == 0 {
			key = "A"
		}
		if err := d.Set(key, v); err != nil {
			t.Fatalf("Set(%s, %q): %v", key, v, err)
		}
		keys = append(keys, key)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "t.conf")
	if err := d.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	sh, err := runSh(t, path, keys)
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	for i, k := range keys {
		if got := sh[k]; !got.set || got.value != values[i] {
			t.Errorf("%s: sh got %q (set=%v), want %q", k, got.value, got.set, values[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Errorf("a written value ran a command")
	}
}
