package exec

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "rpicam-vid -t 0 --inline -o -", want: []string{"rpicam-vid", "-t", "0", "--inline", "-o", "-"}},
		{in: "  a \t b\n c  ", want: []string{"a", "b", "c"}},
		{in: `ffmpeg -vf 'drawtext=text=a b:x=1'`, want: []string{"ffmpeg", "-vf", "drawtext=text=a b:x=1"}},
		{in: `echo "a \"b\" \\ \$ \x"`, want: []string{"echo", `a "b" \ $ \x`}},
		{in: `a\ b c\'d`, want: []string{"a b", "c'd"}},
		{in: `x''y "" ''`, want: []string{"xy", "", ""}},
		{in: `sh -c 'a | b; c && $(d)'`, want: []string{"sh", "-c", "a | b; c && $(d)"}},
		{in: `"semi;colon" 'pipe|'`, want: []string{"semi;colon", "pipe|"}},
		{in: "a | b", wantErr: `'|' at offset 2`},
		{in: "a; b", wantErr: `';'`},
		{in: "a && b", wantErr: `'&'`},
		{in: "a $(b)", wantErr: `'$'`},
		{in: "a $HOME", wantErr: "without a shell"},
		{in: "a `b`", wantErr: "'`'"},
		{in: `a "$(b)"`, wantErr: `'$'`},
		{in: "a > f", wantErr: `'>'`},
		{in: "a < f", wantErr: `'<'`},
		{in: `a 'b`, wantErr: "unterminated quote"},
		{in: `a "b`, wantErr: "unterminated quote"},
		{in: `a b\`, wantErr: "trailing backslash"},
		{in: "   ", wantErr: "empty command"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := SplitArgs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTailLines(t *testing.T) {
	tl := newTailLines(3, 10) // three complete lines and the unfinished one
	tl.Write([]byte("one\ntwo\r\nthree\nfour is a long line\nfi"))
	tl.Write([]byte("ve"))
	if got, want := tl.String(), "two | three | four is a | five"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
