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
// answered with is reduced to its first line of text (its title), a many-line error to its first
// line, and either is shortened to about 200 characters in its middle, so that its end — where Go's
// errors say the reason ("…: no such host") — is always kept. Unwrap gives the target's error
// untouched.
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
	// The prefixes go before the shortening, which then keeps the most of what is left.
	cause, more := flatten(f.Err.Error())
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
	return shorten(perm+cause, more)
}

// maxLine is how many characters oneLine keeps.
const maxLine = 200

// OneLine makes an error text or a server's answer fit one log line, as the queue shows a
// target's error: an HTML page in it (a proxy's or server's error page) is replaced by its first
// line of text ("502 Bad Gateway" for nginx's, a status just before the page that it repeats
// said once), only the first non-empty line is kept (" …" marks that more followed), control
// characters become spaces, runs of spaces one, and the result is shortened to about 200
// characters by cutting its middle (" … " marks where): the end of an error is its reason.
// Targets use it for an answer they put in their error.
func OneLine(s string) string { return oneLine(s) }

// oneLine is OneLine.
func oneLine(s string) string { return shorten(flatten(s)) }

// flatten is OneLine without the shortening: the first line, and whether more followed.
func flatten(s string) (string, bool) {
	if looksHTML(s) {
		s = reducePage(s)
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
	return strings.Join(strings.Fields(first), " "), more
}

// shorten makes s at most about maxLine characters and marks with " …" that more lines
// followed. A long s loses the query strings of the URLs in it first (an upload's file name and
// the like, "?…" is left), then its middle: its first maxHead characters and its last ones stay,
// " … " between them, since Go's errors put the reason last (`Post "https://…": dial tcp: lookup
// host: no such host`).
func shorten(s string, more bool) string {
	if utf8.RuneCountInString(s) > maxLine {
		s = dropQueries(s)
	}
	if n := utf8.RuneCountInString(s); n > maxLine {
		r := []rune(s)
		tail := maxLine - maxHead
		s = strings.TrimRight(string(r[:maxHead]), " ") + " … " + strings.TrimLeft(string(r[n-tail:]), " ")
	}
	if more {
		s += " …"
	}
	return s
}

// maxHead is how many characters of a long line's start shorten keeps.
const maxHead = 80

// dropQueries replaces the query string of each http(s) URL in s by "?…".
func dropQueries(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + 3 + strings.IndexFunc(s[i+3:], func(r rune) bool { return r == ' ' || r == '"' || r == '\'' || r == '>' })
		if end < i+3 {
			end = len(s)
		}
		u := s[:end]
		if q := strings.IndexByte(s[i:end], '?'); q >= 0 && i+q+1 < end {
			u = s[:i+q] + "?…"
		}
		b.WriteString(u)
		s = s[end:]
	}
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

// reducePage replaces the HTML in s — from its first tag to </html>, or to the end — by the
// page's first line of text, keeping the text around it: "upload: 502 <html>…</html> (to /a)"
// becomes "upload: 502 Bad Gateway (to /a)". A status code right before the page that the
// page's first line starts with is said once.
func reducePage(s string) string {
	start := -1
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '<' && isTagStart(s[i+1]) {
			start = i
			break
		}
	}
	if start < 0 {
		return s
	}
	end := len(s)
	if k := strings.LastIndex(strings.ToLower(s), "</html>"); k >= start {
		end = k + len("</html>")
	}
	prefix := strings.TrimRight(s[:start], " \t\r\n")
	suffix := strings.TrimLeft(s[end:], " \t\r\n")
	first, _, _ := strings.Cut(htmlText(s[start:end]), "\n")
	if i := strings.LastIndexAny(prefix, " \t\r\n") + 1; isStatus(prefix[i:]) &&
		(first == prefix[i:] || strings.HasPrefix(first, prefix[i:]+" ")) {
		prefix = strings.TrimRight(prefix[:i], " \t\r\n")
	}
	out := make([]string, 0, 3)
	for _, part := range []string{prefix, first, suffix} {
		if part != "" {
			out = append(out, part)
		}
	}
	return strings.Join(out, " ")
}

// isStatus reports whether s is an HTTP status code (three digits, 100 to 599).
func isStatus(s string) bool {
	return len(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}

// isTagStart reports whether c after a '<' starts a tag, an end tag, a comment or a doctype
// ("a < b" is text).
func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!'
}

// isBlock reports whether an element starts a new line of text where it opens and closes; the
// others (b, span, a, td …) run on in the line.
func isBlock(name string) bool {
	switch name {
	case "html", "head", "title", "body", "h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "br",
		"hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "address", "center", "pre",
		"blockquote", "section", "article", "header", "footer", "main", "nav", "form", "fieldset",
		"legend", "caption", "figure", "figcaption", "aside", "noscript":
		return true
	}
	return false
}

// htmlText is s with its tags, scripts and style sheets taken out and entities decoded, a line
// of text per block (the title, a heading, a paragraph, a <br> …): in HTML a line break in the
// source is a space, the elements make the lines. Empty lines are left out.
func htmlText(s string) string {
	var b strings.Builder
	text := func(t string) {
		b.WriteString(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
				return ' '
			}
			return r
		}, t))
	}
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i:]
		if len(s) < 2 || !isTagStart(s[1]) {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
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
		if skipTo == ">" && isBlock(tagName(lower[1:j])) {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
		s = s[j+len(skipTo):]
	}
	var lines []string
	for line := range strings.SplitSeq(html.UnescapeString(b.String()), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// tagName is the element name of a tag's inside ("/h1", "br/", "p class=x" → h1, br, p).
func tagName(inner string) string {
	inner = strings.TrimPrefix(inner, "/")
	if i := strings.IndexFunc(inner, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }); i >= 0 {
		inner = inner[:i]
	}
	return inner
}
