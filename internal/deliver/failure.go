package deliver

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// failure is a failed delivery attempt as the queue reports it (Status.LastError, the logs):
// "deliver: <target>: item <id>: <the target's error>", saying the target and the item once
// each — a target's own error often names itself ("telegram: sendPhoto: …") or the item, and
// those repeats are left out — and the target's error on one short line: an HTML page a server
// answered with is reduced to its text, a many-line error to its first line, and either is cut
// to about 200 characters. Unwrap gives the target's error untouched.
type failure struct {
	Target, Item string
	Err          error
}

func (f *failure) Error() string {
	cause := f.cause()
	var b strings.Builder
	b.WriteString("deliver: ")
	b.WriteString(f.Target)
	b.WriteString(": ")
	if !strings.Contains(cause, f.Item) {
		b.WriteString("item ")
		b.WriteString(f.Item)
		b.WriteString(": ")
	}
	b.WriteString(cause)
	return b.String()
}

func (f *failure) Unwrap() error { return f.Err }

// cause is the target's error as Error shows it, without the target and item in front: for a
// log line whose attributes name both.
func (f *failure) cause() string {
	cause := oneLine(f.Err.Error())
	perm := ""
	prefixes := []string{"permanent: ", f.Target + ": ", "item " + f.Item + ": ", f.Item + ": "}
	for cut := true; cut; {
		cut = false
		for _, p := range prefixes {
			if rest, ok := strings.CutPrefix(cause, p); ok {
				if p == prefixes[0] {
					perm = p
				}
				cause, cut = rest, true
			}
		}
	}
	return perm + cause
}

// maxLine is how many characters oneLine keeps.
const maxLine = 200

// oneLine makes an error text fit one log line: an HTML document in it (a proxy's or server's
// error page) is reduced to its text, only the first non-empty line is kept (" …" marks that
// more followed), control characters become spaces, runs of spaces one, and the result is cut to
// about 200 characters.
func oneLine(s string) string {
	if looksHTML(s) {
		s = htmlText(s)
	}
	more := false
	first := ""
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if first != "" {
			more = true
			break
		}
		first = line
	}
	first = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, first)
	first = strings.Join(strings.Fields(first), " ")
	if utf8.RuneCountInString(first) > maxLine {
		n := 0
		for i := range first {
			if n == maxLine {
				first, more = first[:i], true
				break
			}
			n++
		}
	}
	if more {
		first += " …"
	}
	return first
}

// looksHTML reports whether s carries an HTML document or fragment.
func looksHTML(s string) bool {
	l := strings.ToLower(s)
	for _, m := range []string{"<!doctype", "<html", "<head", "<body", "<title", "<h1", "<p>", "<br", "</"} {
		if strings.Contains(l, m) {
			return true
		}
	}
	return false
}

// htmlText is s with its tags, scripts and style sheets taken out, entities decoded, and all on
// one line: in HTML a line break is not a line.
func htmlText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[i:]
		lower := strings.ToLower(s)
		skipTo := ">"
		switch {
		case strings.HasPrefix(lower, "<script"):
			skipTo = "</script>"
		case strings.HasPrefix(lower, "<style"):
			skipTo = "</style>"
		case strings.HasPrefix(lower, "<!--"):
			skipTo = "-->"
		}
		j := strings.Index(lower, skipTo)
		if j < 0 {
			break // an unclosed tag: the rest is markup
		}
		s = s[j+len(skipTo):]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}
