// Package shellconf reads and writes the shell-style KEY=value files of the
// Dafang Hacks firmware (rtspserver.conf, motion.conf, …), which the firmware
// `source`d with /bin/sh.
//
// The parser is lossless: a Doc keeps every byte, so writing back an
// unchanged Doc reproduces the file exactly, and Set changes only the value
// it replaces. Values are evaluated the way sh would assign them (quotes,
// backslash escapes, $VAR and ${VAR} of keys assigned earlier in the same
// file), but nothing is ever executed: command substitutions, arithmetic and
// other expansions that need a shell are kept raw and the value is marked
// Dynamic. Asking for a dynamic value as a static one (Doc.Static) is an
// error that names the file, the line and the key.
//
// The package does no I/O apart from ReadFile and the atomic writers, keeps
// no global state, and a Doc is not safe for concurrent use.
package shellconf

import "strings"

// Kind classifies one logical line of a file.
type Kind int

// The kinds of Entry.
const (
	Blank      Kind = iota // only blanks
	Comment                // a # comment, possibly indented
	Assignment             // KEY=value, optionally "export KEY=value", optionally a trailing comment
	Other                  // anything else, kept verbatim and reported as a warning
)

func (k Kind) String() string {
	switch k {
	case Blank:
		return "blank"
	case Comment:
		return "comment"
	case Assignment:
		return "assignment"
	case Other:
		return "other"
	}
	return "unknown"
}

// Value is the right-hand side of an assignment.
type Value struct {
	// Raw is the value exactly as written, quotes and escapes included.
	Raw string
	// Text is what sh would assign. Parts that need a shell to evaluate
	// (see Dynamic) are kept as written.
	Text string
	// Dynamic reports that the value depends on something freecam does not
	// evaluate: a command substitution $(…) or `…`, arithmetic, a special
	// parameter such as $$, an environment variable, a tilde, or a
	// parameter expansion other than $NAME and ${NAME}.
	Dynamic bool
	// Reason says why the value is dynamic (the first cause found), as a
	// phrase that can follow the key: "contains a command substitution $(…),
	// which freecam does not run".
	Reason string
}

// Entry is one logical line (an assignment's value may span several
// physical lines). Raw holds its exact bytes including the line ending.
type Entry struct {
	Kind Kind
	Line int    // 1-based line where the entry starts
	Raw  string // exact bytes, line ending included (none at the end of a file without one)

	// For Assignment only.
	Key    string
	Export bool
	Value  Value

	valStart, valEnd int // Value.Raw is Raw[valStart:valEnd]
}

// Doc is a parsed file.
type Doc struct {
	// Name is the file name used in messages, usually the base name.
	Name string
	// Entries are the logical lines in file order. Concatenating their Raw
	// fields gives back the file.
	Entries []Entry
	// Warnings are problems that do not stop the file from loading: lines
	// that are not assignments, references to unset variables, CRLF line
	// endings, keys assigned twice.
	Warnings []Issue

	err  error // the parse error, if any; the doc is then read-only
	crlf bool  // the file uses CRLF line endings
}

// Bytes returns the document's content. For a Doc that was parsed and not
// changed it is exactly the parsed input.
func (d *Doc) Bytes() []byte {
	var b strings.Builder
	for i := range d.Entries {
		b.WriteString(d.Entries[i].Raw)
	}
	return []byte(b.String())
}

// Err returns the error Parse returned for this document, or nil.
func (d *Doc) Err() error { return d.err }

// Keys returns the assigned keys in the order of their first assignment.
func (d *Doc) Keys() []string {
	var keys []string
	seen := make(map[string]bool)
	for i := range d.Entries {
		e := &d.Entries[i]
		if e.Kind == Assignment && !seen[e.Key] {
			seen[e.Key] = true
			keys = append(keys, e.Key)
		}
	}
	return keys
}

// Lookup returns the entry that sets key last (the one sh would keep).
func (d *Doc) Lookup(key string) (Entry, bool) {
	if i := d.last(key); i >= 0 {
		return d.Entries[i], true
	}
	return Entry{}, false
}

func (d *Doc) last(key string) int {
	for i := len(d.Entries) - 1; i >= 0; i-- {
		if d.Entries[i].Kind == Assignment && d.Entries[i].Key == key {
			return i
		}
	}
	return -1
}

// Static returns the value of key as a literal string, and the line it is
// set on. found is false when the key is not assigned (value "" and no
// error). A dynamic value is an error naming file, line and key, for example
// `rtspserver.conf:27: SUB_DIR: contains a command substitution $(…), which
// freecam does not run; write a literal value`.
func (d *Doc) Static(key string) (value string, line int, found bool, err error) {
	e, ok := d.Lookup(key)
	if !ok {
		return "", 0, false, nil
	}
	if e.Value.Dynamic {
		return "", e.Line, true, Issue{File: d.Name, Line: e.Line, Key: key,
			Message: e.Value.Reason + "; write a literal value"}
	}
	return e.Value.Text, e.Line, true, nil
}
