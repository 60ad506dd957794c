package shellconf

import (
	"fmt"
	"github.com/freecam/freecam/internal/fsutil"
	"io/fs"
	"strings"
)

// Quote returns value as a shell word that sh assigns literally: bare when
// it only holds characters that are never special, otherwise in single
// quotes, an embedded single quote being closed, escaped and reopened:
//
//	it's  ->  'it'\''s'
//
// Nothing Quote returns can expand or run anything.
func Quote(value string) string {
	safe := true
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !(isNameChar(c) || strings.IndexByte("-./:,+@%=", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return value
	}
	return "'" + strings.ReplaceAll(value, "'", `'\''`) + "'"
}

// Set assigns value to key. The last assignment of key (the one sh keeps)
// has its value replaced in place, keeping its comment, "export" and
// position; a key not yet in the file is appended at the end. The value is
// written with Quote. Set fails for a Doc whose parse failed, an invalid key
// name, or a value containing a NUL byte (sh cannot hold one). On failure
// the Doc is unchanged.
func (d *Doc) Set(key, value string) error {
	if d.err != nil {
		return fmt.Errorf("set %s in %s: the file did not parse: %w", key, d.Name, d.err)
	}
	if !IsName(key) {
		return fmt.Errorf("set %q in %s: not a valid key name (letters, digits and _, not starting with a digit)", key, d.Name)
	}
	if strings.IndexByte(value, 0) >= 0 {
		return fmt.Errorf("set %s in %s: the value contains a NUL byte", key, d.Name)
	}
	q := Quote(value)
	for _, src := range d.candidates(key, q) {
		nd, err := Parse(d.Name, []byte(src))
		if err != nil {
			continue
		}
		if got, _, found, err := nd.Static(key); found && err == nil && got == value {
			*d = *nd
			return nil
		}
	}
	return fmt.Errorf("set %s in %s: the written value would not read back as written", key, d.Name)
}

// candidates returns the document with key set to the quoted value q: the
// last assignment replaced in place, or else a new line appended. When
// appending, a second candidate adds an empty line first, for a file whose
// last line ends in a backslash that would join it to the new line.
func (d *Doc) candidates(key, q string) []string {
	var b strings.Builder
	if i := d.last(key); i >= 0 {
		for j := range d.Entries {
			e := &d.Entries[j]
			if j == i {
				b.WriteString(e.Raw[:e.valStart])
				b.WriteString(q)
				b.WriteString(e.Raw[e.valEnd:])
				continue
			}
			b.WriteString(e.Raw)
		}
		return []string{b.String()}
	}
	src := string(d.Bytes())
	eol := "\n"
	if d.crlf {
		eol = "\r\n"
	}
	if src != "" && !strings.HasSuffix(src, "\n") {
		src += eol
	}
	line := key + "=" + q + eol
	return []string{src + line, src + eol + line}
}

// WriteFile writes the document to path atomically (see WriteFileAtomic).
// A new file gets mode 0600.
func (d *Doc) WriteFile(path string) error {
	return WriteFileAtomic(path, d.Bytes(), 0o600)
}

// WriteFileAtomic replaces path with data atomically; see fsutil.WriteFileAtomic.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return fsutil.WriteFileAtomic(path, data, perm)
}
