package shellconf

import (
	"fmt"
	"strings"
)

// word accumulates the evaluated text of one shell word.
type word struct {
	eval     bool   // evaluate $VAR (assignment values); false only skips
	key      string // the key being assigned, for messages
	start    int    // offset where the value starts (tilde detection)
	text     strings.Builder
	dynamic  bool
	reason   string
	warnings []string
}

func (w *word) dyn(reason string) {
	if !w.dynamic {
		w.dynamic, w.reason = true, reason
	}
}

// scanWord scans one word in unquoted context from i and returns the offset
// where it ends (a blank, an operator, or a line end).
func (p *parser) scanWord(i int, w *word) (int, error) {
	s := p.s
	for i < len(s) {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')':
			return i, nil
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i, nil
			}
			w.text.WriteByte(c)
			i++
		case '\\':
			switch {
			case i+1 >= len(s):
				w.text.WriteByte('\\')
				i++
			case s[i+1] == '\n':
				i += 2
			case s[i+1] == '\r' && i+2 < len(s) && s[i+2] == '\n':
				i += 3 // a continuation in a CRLF file
			default:
				w.text.WriteByte(s[i+1])
				i += 2
			}
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return 0, p.errAt(i, w.key, "unterminated single quote ' (it runs to the end of the file); add the closing quote")
			}
			w.text.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case '"':
			var err error
			if i, err = p.scanDouble(i, w); err != nil {
				return 0, err
			}
		case '$':
			var err error
			if i, err = p.scanDollar(i, w); err != nil {
				return 0, err
			}
		case '`':
			var err error
			if i, err = p.scanBacktick(i, w); err != nil {
				return 0, err
			}
		case '~':
			if w.eval && (i == w.start || s[i-1] == ':') {
				w.dyn("starts with a tilde ~ (a home directory), which freecam does not expand")
			}
			w.text.WriteByte(c)
			i++
		default:
			w.text.WriteByte(c)
			i++
		}
	}
	return i, nil
}

// scanDouble scans a double-quoted string whose opening quote is at open.
func (p *parser) scanDouble(open int, w *word) (int, error) {
	s := p.s
	i := open + 1
	for {
		if i >= len(s) {
			return 0, p.errAt(open, w.key, `unterminated double quote " (it runs to the end of the file); add the closing quote`)
		}
		switch c := s[i]; c {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return 0, p.errAt(open, w.key, `unterminated double quote " (it runs to the end of the file); add the closing quote`)
			}
			switch n := s[i+1]; n {
			case '\n':
				i += 2
			case '$', '`', '"', '\\':
				w.text.WriteByte(n)
				i += 2
			default:
				w.text.WriteByte('\\')
				i++
			}
		case '$':
			var err error
			if i, err = p.scanDollar(i, w); err != nil {
				return 0, err
			}
		case '`':
			var err error
			if i, err = p.scanBacktick(i, w); err != nil {
				return 0, err
			}
		default:
			w.text.WriteByte(c)
			i++
		}
	}
}

// scanDollar scans an expansion starting with the $ at i.
func (p *parser) scanDollar(i int, w *word) (int, error) {
	s := p.s
	if i+1 >= len(s) {
		w.text.WriteByte('$')
		return i + 1, nil
	}
	switch n := s[i+1]; {
	case n == '(':
		end, err := p.matchParen(i + 1)
		if err != nil {
			return 0, p.errAt(i, w.key, "unterminated command substitution $( (no matching closing parenthesis)")
		}
		if i+2 < len(s) && s[i+2] == '(' {
			w.dyn("contains an arithmetic expansion $((…)), which freecam does not evaluate")
		} else {
			w.dyn("contains a command substitution $(…), which freecam does not run")
		}
		w.text.WriteString(s[i:end])
		return end, nil
	case n == '{':
		j, err := p.matchBrace(i + 2)
		if err != nil {
			return 0, p.errAt(i, w.key, "unterminated parameter expansion ${ (no closing brace)")
		}
		if name := s[i+2 : j]; IsName(name) {
			p.expand(name, w)
		} else {
			w.dyn("contains a parameter expansion ${…} other than ${NAME}, which freecam does not evaluate")
			w.text.WriteString(s[i : j+1])
		}
		return j + 1, nil
	case isNameStart(n):
		j := i + 1
		for j < len(s) && isNameChar(s[j]) {
			j++
		}
		p.expand(s[i+1:j], w)
		return j, nil
	case strings.IndexByte("@*#?-$!0123456789", n) >= 0:
		w.dyn(fmt.Sprintf("uses the special parameter $%c, which freecam does not evaluate", n))
		w.text.WriteString(s[i : i+2])
		return i + 2, nil
	default:
		w.text.WriteByte('$')
		return i + 1, nil
	}
}

// expand appends the value of the variable name.
func (p *parser) expand(name string, w *word) {
	if !w.eval {
		return
	}
	if v, ok := p.env[name]; ok {
		w.text.WriteString(v.Text)
		if v.Dynamic {
			w.dyn("refers to $" + name + ", whose value " + v.Reason)
		}
		return
	}
	if isEnvVar(name) {
		w.dyn("refers to the environment variable $" + name + ", which freecam does not read")
		w.text.WriteString("$" + name)
		return
	}
	w.warnings = append(w.warnings, "$"+name+" is not set earlier in this file, so it expands to an empty string")
}

// isEnvVar reports whether sh or the firmware's environment would give
// name a value even though the file does not set it.
func isEnvVar(name string) bool {
	switch name {
	case "PATH", "HOME", "PWD", "OLDPWD", "PPID", "IFS", "OPTIND", "OPTARG", "PS1", "PS2", "PS4",
		"USER", "LOGNAME", "SHELL", "TERM", "HOSTNAME", "LD_LIBRARY_PATH", "TZ", "LANG", "LC_ALL", "TMPDIR":
		return true
	}
	return false
}

// scanBacktick scans a `…` command substitution starting at i.
func (p *parser) scanBacktick(i int, w *word) (int, error) {
	end, ok := p.skipBacktick(i)
	if !ok {
		return 0, p.errAt(i, w.key, "unterminated backtick ` command substitution; add the closing backtick")
	}
	w.dyn("contains a command substitution `…`, which freecam does not run")
	w.text.WriteString(p.s[i:end])
	return end, nil
}

// skipBacktick returns the offset after the backtick that closes the one at i.
func (p *parser) skipBacktick(i int) (int, bool) {
	s := p.s
	for k := i + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case '`':
			return k + 1, true
		}
	}
	return 0, false
}

// skipQuoted returns the offset of the closing quote of the single- or
// double-quoted string opened at i.
func (p *parser) skipQuoted(i int) (int, bool) {
	s := p.s
	if s[i] == '\'' {
		j := strings.IndexByte(s[i+1:], '\'')
		return i + 1 + j, j >= 0
	}
	for k := i + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case '"':
			return k, true
		}
	}
	return 0, false
}

// matchParen returns the offset after the parenthesis that closes the one
// at open. It follows quotes, escapes and backticks but does not parse the
// shell grammar inside (a case pattern's ")" can confuse it).
func (p *parser) matchParen(open int) (int, error) {
	s := p.s
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '\\':
			i++
		case '\'', '"':
			j, ok := p.skipQuoted(i)
			if !ok {
				return 0, unterminatedError{}
			}
			i = j
		case '`':
			j, ok := p.skipBacktick(i)
			if !ok {
				return 0, unterminatedError{}
			}
			i = j - 1
		}
	}
	return 0, unterminatedError{}
}

// matchBrace returns the offset of the } that closes a ${ whose body starts at i.
func (p *parser) matchBrace(i int) (int, error) {
	s := p.s
	for ; i < len(s); i++ {
		switch s[i] {
		case '}':
			return i, nil
		case '\\':
			i++
		case '\'', '"':
			j, ok := p.skipQuoted(i)
			if !ok {
				return 0, unterminatedError{}
			}
			i = j
		}
	}
	return 0, unterminatedError{}
}

type unterminatedError struct{}

func (unterminatedError) Error() string { return "unterminated" }
