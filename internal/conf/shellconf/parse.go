package shellconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ReadFile reads and parses the file at path; messages name it by its base
// name. A read error is returned as is (os.IsNotExist works on it).
func ReadFile(path string) (*Doc, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), src)
}

// Parse parses src; name is the file name used in messages. It always
// returns a non-nil Doc whose Bytes equal src. The only errors are
// unterminated quotes, substitutions and ${…} (an Issue with file and line);
// the rest of the file from that line on is then kept as one Other entry
// and the Doc refuses Set.
func Parse(name string, src []byte) (*Doc, error) {
	p := &parser{name: name, s: string(src), env: make(map[string]Value), doc: &Doc{Name: name}}
	return p.parse()
}

type parser struct {
	name string
	s    string
	env  map[string]Value // values assigned so far, for $VAR
	doc  *Doc

	entryStart, entryLine int // where the current entry starts
	lastSet               map[string]int
}

func (p *parser) parse() (*Doc, error) {
	line := 1
	pos := 0
	crlfLine := 0
	p.lastSet = make(map[string]int)
	for pos < len(p.s) {
		p.entryStart, p.entryLine = pos, line
		e, end, err := p.entry(pos)
		if err != nil {
			p.doc.Entries = append(p.doc.Entries, Entry{Kind: Other, Line: line, Raw: p.s[pos:]})
			p.doc.err = err
			return p.doc, err
		}
		e.Line = line
		e.Raw = p.s[pos:end]
		if crlfLine == 0 && strings.HasSuffix(e.Raw, "\r\n") {
			crlfLine = line + strings.Count(e.Raw, "\n") - 1
		}
		line += strings.Count(e.Raw, "\n")
		p.doc.Entries = append(p.doc.Entries, e)
		pos = end
	}
	if crlfLine > 0 {
		p.doc.crlf = true
		p.doc.Warnings = append(p.doc.Warnings, Issue{File: p.name, Line: crlfLine,
			Message: "the file has Windows (CRLF) line endings; freecam ignores the CR before each newline, but the firmware's sh kept it in the values: save the file with Unix (LF) line endings"})
	}
	return p.doc, nil
}

func (p *parser) warn(key, msg string) {
	p.doc.Warnings = append(p.doc.Warnings, Issue{File: p.name, Line: p.entryLine, Key: key, Message: msg})
}

func (p *parser) errAt(off int, key, msg string) error {
	line := p.entryLine + strings.Count(p.s[p.entryStart:off], "\n")
	return Issue{File: p.name, Line: line, Key: key, Message: msg}
}

func isBlank(c byte) bool     { return c == ' ' || c == '\t' }
func isNameStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || '0' <= c && c <= '9' }

// IsName reports whether s is a valid shell variable name.
func IsName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

func (p *parser) skipBlanks(i int) int {
	for i < len(p.s) && isBlank(p.s[i]) {
		i++
	}
	return i
}

// atEOL reports whether i is at a line end: EOF, LF or CRLF.
func (p *parser) atEOL(i int) bool {
	s := p.s
	return i >= len(s) || s[i] == '\n' || s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n'
}

// eolEnd returns the offset after the line end at i (see atEOL).
func (p *parser) eolEnd(i int) int {
	switch {
	case i >= len(p.s):
		return len(p.s)
	case p.s[i] == '\r':
		return i + 2
	}
	return i + 1
}

// toEOL returns the offset of the line end at or after i (comment body).
func (p *parser) toEOL(i int) int {
	j := strings.IndexByte(p.s[i:], '\n')
	if j < 0 {
		return len(p.s)
	}
	if j > 0 && p.s[i+j-1] == '\r' {
		return i + j - 1
	}
	return i + j
}

// entry parses the logical line at start and returns it (without Raw and
// Line) and the offset after it.
func (p *parser) entry(start int) (Entry, int, error) {
	s := p.s
	i := p.skipBlanks(start)
	if p.atEOL(i) {
		return Entry{Kind: Blank}, p.eolEnd(i), nil
	}
	if s[i] == '#' {
		return Entry{Kind: Comment}, p.eolEnd(p.toEOL(i)), nil
	}

	// KEY=value, optionally after "export".
	j, export := i, false
	if strings.HasPrefix(s[j:], "export") && j+6 < len(s) && isBlank(s[j+6]) {
		export = true
		j = p.skipBlanks(j + 6)
	}
	k := j
	for k < len(s) && isNameChar(s[k]) {
		k++
	}
	key := s[j:k]
	if k < len(s) && s[k] == '=' && IsName(key) {
		w := word{eval: true, key: key, start: k + 1}
		vend, err := p.scanWord(k+1, &w)
		if err != nil {
			return Entry{}, 0, err
		}
		t := p.skipBlanks(vend)
		if t < len(s) && s[t] == '#' {
			t = p.toEOL(t)
		}
		if p.atEOL(t) {
			v := Value{Raw: s[k+1 : vend], Text: w.text.String(), Dynamic: w.dynamic, Reason: w.reason}
			for _, msg := range w.warnings {
				p.warn(key, msg)
			}
			if prev, ok := p.lastSet[key]; ok {
				p.warn(key, fmt.Sprintf("set again; this value replaces the one on line %d", prev))
			}
			p.lastSet[key] = p.entryLine
			p.env[key] = v
			return Entry{Kind: Assignment, Key: key, Export: export, Value: v,
				valStart: k + 1 - start, valEnd: vend - start}, p.eolEnd(t), nil
		}
		end, err := p.skipLine(i)
		if err != nil {
			return Entry{}, 0, err
		}
		p.warn(key, "the value is followed by more words, which sh would run as a command; freecam ignores this line (quote the value if it contains blanks)")
		return Entry{Kind: Other}, end, nil
	}

	end, err := p.skipLine(i)
	if err != nil {
		return Entry{}, 0, err
	}
	p.warn("", "not a KEY=value assignment; freecam ignores this line")
	return Entry{Kind: Other}, end, nil
}

// skipLine scans a logical line that is not an assignment, respecting
// quotes and substitutions, and returns the offset after its line end.
func (p *parser) skipLine(i int) (int, error) {
	s := p.s
	for {
		i = p.skipBlanks(i)
		if p.atEOL(i) {
			return p.eolEnd(i), nil
		}
		c := s[i]
		switch {
		case c == '#':
			return p.eolEnd(p.toEOL(i)), nil
		case strings.IndexByte(";&|<>()", c) >= 0:
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2 // line continuation between words
		default:
			w := word{start: i}
			var err error
			if i, err = p.scanWord(i, &w); err != nil {
				return 0, err
			}
		}
	}
}
