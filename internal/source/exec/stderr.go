package exec

import (
	"bytes"
	"strings"
	"sync"
)

// tailLines keeps the last lines written to it, each cut to maxLine bytes: the end of a
// process's stderr for the error that reports its exit. Safe for concurrent use.
type tailLines struct {
	mu      sync.Mutex
	lines   []string // ring
	next    int
	full    bool
	partial []byte
	maxLine int
}

func newTailLines(n, maxLine int) *tailLines {
	return &tailLines{lines: make([]string, n), maxLine: maxLine}
}

func (t *tailLines) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			t.partial = appendCapped(t.partial, p, t.maxLine)
			break
		}
		t.partial = appendCapped(t.partial, p[:i], t.maxLine)
		t.push()
		p = p[i+1:]
	}
	return n, nil
}

func appendCapped(dst, p []byte, limit int) []byte {
	if room := limit - len(dst); room < len(p) {
		p = p[:max(room, 0)]
	}
	return append(dst, p...)
}

func (t *tailLines) push() {
	line := strings.TrimSpace(string(t.partial))
	t.partial = t.partial[:0]
	if line == "" {
		return
	}
	t.lines[t.next] = line
	t.next = (t.next + 1) % len(t.lines)
	if t.next == 0 {
		t.full = true
	}
}

// String returns the kept lines, oldest first, joined by " | ".
func (t *tailLines) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	if t.full {
		out = append(out, t.lines[t.next:]...)
	}
	out = append(out, t.lines[:t.next]...)
	if rest := strings.TrimSpace(string(t.partial)); rest != "" {
		out = append(out, rest)
	}
	return strings.Join(out, " | ")
}
