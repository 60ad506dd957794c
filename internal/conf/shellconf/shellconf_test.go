package shellconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return d
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, src, key, want string
	}{
		{"bare", "A=hello\n", "A", "hello"},
		{"export", "export A=hello\n", "A", "hello"},
		{"single", "A='a b  c'\n", "A", "a b  c"},
		{"double escapes", `A="q\"u \\ \$X \` + "`" + ` \n"` + "\n", "A", "q\"u \\ $X ` \\n"},
		{"unquoted escapes", `A=a\ b\\c\$d` + "\n", "A", `a b\c$d`},
		{"concatenation", `A=a"b c"'d'e` + "\n", "A", "ab cde"},
		{"variables", "X=v\nA=$X-${X}y\"$X\"'$X'\n", "A", "v-vyv$X"},
		{"unknown var", "A=pre${NOPE}post\n", "A", "prepost"},
		{"hash inside word", "A=a#b\n", "A", "a#b"},
		{"trailing comment", "A=a # b\n", "A", "a"},
		{"quoted hash", `A="a # b" # c` + "\n", "A", "a # b"},
		{"empty", "A=\n", "A", ""},
		{"empty with comment", "A= # nothing\n", "A", ""},
		{"continuation", "A=abc\\\ndef\n", "A", "abcdef"},
		{"multi-line single quote", "A='l1\nl2'\n", "A", "l1\nl2"},
		{"literal dollar", "A=cost$ B\n", "", ""},
		{"dollar at end", "A=cost$\n", "A", "cost$"},
		{"last wins", "A=1\nA=2\n", "A", "2"},
		{"self reference", "A=x\nA=$A:y\n", "A", "x:y"},
		{"crlf", "A=1\r\nB=2\r\n", "A", "1"},
		{"no final newline", "A=1", "A", "1"},
		{"indented", "\t  A=1\n", "A", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			if got := string(d.Bytes()); got != tt.src {
				t.Fatalf("round trip: got %q, want %q", got, tt.src)
			}
			if tt.key == "" {
				return
			}
			got, _, found, err := d.Static(tt.key)
			if err != nil || !found {
				t.Fatalf("Static(%s): found=%v err=%v", tt.key, found, err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	src := "# c\n\nA=1 # x\nexport B='2'\necho hi\nC=1 D=2\n  # indented\n"
	d := mustParse(t, src)
	var got []string
	for _, e := range d.Entries {
		got = append(got, e.Kind.String())
	}
	want := "comment blank assignment assignment other other comment"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
	if !d.Entries[3].Export || d.Entries[2].Export {
		t.Errorf("export flags: got %v %v, want false true", d.Entries[2].Export, d.Entries[3].Export)
	}
	if len(d.Warnings) != 2 || d.Warnings[0].Line != 5 || d.Warnings[1].Line != 6 || d.Warnings[1].Key != "C" {
		t.Errorf("warnings: got %v, want lines 5 and 6 (key C)", d.Warnings)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown var", "A=$NOPE\n", "t.conf:1: A: $NOPE is not set earlier in this file, so it expands to an empty string"},
		{"crlf", "A=1\r\nB=2\r\n", "t.conf:1: the file has Windows (CRLF) line endings"},
		{"bare value", "# name\nDAFANG\n", "t.conf:2: not a KEY=value assignment; freecam ignores this line"},
		{"duplicate", "A=1\n\nA=2\n", "t.conf:3: A: set again; this value replaces the one on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			if len(d.Warnings) != 1 {
				t.Fatalf("got %d warnings %v, want 1", len(d.Warnings), d.Warnings)
			}
			if got := d.Warnings[0].String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want prefix %q", got, tt.want)
			}
		})
	}
}

func TestDynamic(t *testing.T) {
	src := "DCIM=/x\n" +
		"\n" +
		"SUB_DIR=\"$(date +%Y-%m-%d)/$(date +%H)\"\n" +
		"B=`hostname`\n" +
		"C=$((1+2))\n" +
		"D=$$\n" +
		"E=${X:-d}\n" +
		"F=$SUB_DIR/a\n" +
		"G=$HOME\n" +
		"H=~/x\n"
	d := mustParse(t, src)
	_, _, _, err := d.Static("SUB_DIR")
	want := "t.conf:3: SUB_DIR: contains a command substitution $(…), which freecam does not run; write a literal value"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	var iss Issue
	if !errors.As(err, &iss) || iss.Line != 3 || iss.Key != "SUB_DIR" {
		t.Errorf("got %#v, want an Issue at line 3 for SUB_DIR", err)
	}
	e, _ := d.Lookup("SUB_DIR")
	if e.Value.Text != "$(date +%Y-%m-%d)/$(date +%H)" {
		t.Errorf("raw text: got %q", e.Value.Text)
	}
	for _, k := range []string{"B", "C", "D", "E", "F", "G", "H"} {
		e, _ := d.Lookup(k)
		if !e.Value.Dynamic {
			t.Errorf("%s=%s: got static, want dynamic", k, e.Value.Raw)
		}
	}
	if got, _, _, err := d.Static("DCIM"); err != nil || got != "/x" {
		t.Errorf("DCIM: got %q %v, want /x", got, err)
	}
}

func TestUnterminated(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"single", "A=1\n\nB='abc\nC=2\n", "t.conf:3: B: unterminated single quote"},
		{"double", "A=\"abc\\\"\n", "t.conf:1: A: unterminated double quote"},
		{"command", "A=1\nB=$(date\n", "t.conf:2: B: unterminated command substitution"},
		{"backtick", "A=`date\n", "t.conf:1: A: unterminated backtick"},
		{"brace", "A=${B\n", "t.conf:1: A: unterminated parameter expansion"},
		{"other line", "echo 'abc\n", "t.conf:1: unterminated single quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("t.conf", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want prefix %q", err, tt.want)
			}
			if string(d.Bytes()) != tt.src {
				t.Errorf("round trip after error: got %q, want %q", d.Bytes(), tt.src)
			}
			if d.Set("Z", "1") == nil {
				t.Errorf("Set on a doc that failed to parse: got nil error")
			}
		})
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name, src, key, value, want string
	}{
		{"replace keeps comment", "# c\nexport PORT=8554 # port\nX=1\n", "PORT", "9000", "# c\nexport PORT=9000 # port\nX=1\n"},
		{"replace quoted", "A=\"x y\"\n", "A", "it's", "A='it'\\''s'\n"},
		{"replace last of two", "A=1\nA=2\n", "A", "3", "A=1\nA=3\n"},
		{"append", "A=1\n", "B", "two words", "A=1\nB='two words'\n"},
		{"append no newline", "A=1", "B", "2", "A=1\nB=2\n"},
		{"append crlf", "A=1\r\n", "B", "2", "A=1\r\nB=2\r\n"},
		{"append after backslash", "echo \\", "B", "2", "echo \\\n\nB=2\n"},
		{"append after continuation", "\\\n", "B", "2", "\\\n\nB=2\n"},
		{"empty", "A=x # c\n", "A", "", "A= # c\n"},
		{"code stays text", "A=1\n", "A", "$(reboot)`x`", "A='$(reboot)`x`'\n"},
		{"multi-line value", "A=1 # c\n", "A", "a\nb", "A='a\nb' # c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			if err := d.Set(tt.key, tt.value); err != nil {
				t.Fatal(err)
			}
			if got := string(d.Bytes()); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			got, _, _, err := mustParse(t, string(d.Bytes())).Static(tt.key)
			if err != nil || got != tt.value {
				t.Errorf("re-parse: got %q (%v), want %q", got, err, tt.value)
			}
		})
	}
	d := mustParse(t, "A=1\n")
	for _, bad := range []string{"", "1A", "A-B", "A B"} {
		if err := d.Set(bad, "x"); err == nil {
			t.Errorf("Set(%q): got nil error, want invalid key", bad)
		}
	}
	if err := d.Set("A", "a\x00b"); err == nil {
		t.Errorf("Set with NUL: got nil error")
	}
	if string(d.Bytes()) != "A=1\n" {
		t.Errorf("failed Set changed the doc: %q", d.Bytes())
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rtspserver.conf")
	if err := os.WriteFile(path, []byte("PORT=1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	d, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "rtspserver.conf" {
		t.Errorf("name: got %q, want rtspserver.conf", d.Name)
	}
	if err := d.Set("PORT", "2"); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "PORT=2\n" {
		t.Errorf("content: got %q, want %q", got, "PORT=2\n")
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode: got %v, want 0640", fi.Mode().Perm())
	}
	newPath := filepath.Join(dir, "new.conf")
	if err := WriteFileAtomic(newPath, []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(newPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode: got %v, want 0600", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("dir has %d entries, want 2 (no temp files left)", len(ents))
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.conf"), nil, 0o600); err == nil {
		t.Errorf("write into a missing dir: got nil error")
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"H264", "H264"},
		{"/system/sdcard", "/system/sdcard"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"~", "'~'"},
		{"$x", "'$x'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
