package auth

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// UsersFile is the name of the accounts file in the config directory.
const UsersFile = "freecam.users"

// usersHeader starts a users file that freecam creates.
const usersHeader = "# freecam accounts, one a line: name:role:argon2id-hash[:digest-HA1[:sealed-password]]\n" +
	"# Change them with `freecam passwd` or the System page; never store a password here.\n"

// account is one line of the users file.
type account struct {
	name string
	role Role
	phc  string // the argon2id PHC string as written
	hash phcHash
	ha1  string // hex MD5 of name:freecam:password, only when the account opted into Digest
	// sealed is the password sealed with the key file (see KeyFile), only when the account
	// opted into Digest: WS-Security PasswordDigest needs the password itself.
	sealed string
}

func (a *account) line() string {
	s := a.name + ":" + string(a.role) + ":" + a.phc
	if a.ha1 != "" {
		s += ":" + a.ha1
		if a.sealed != "" {
			s += ":" + a.sealed
		}
	}
	return s
}

// usersDoc is a parsed users file. It keeps comments and blank lines so that a rewrite changes
// only the accounts.
type usersDoc struct {
	lines []docLine
}

type docLine struct {
	raw  string   // a comment or blank line, when acct is nil
	acct *account // an account line
}

// validName reports whether s is an account name: [A-Za-z0-9._-]{1,32}.
func validName(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// parseUsers parses a users file; errors name path and line.
func parseUsers(path string, data []byte) (*usersDoc, error) {
	doc := &usersDoc{}
	seen := map[string]int{}
	text := string(data)
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return doc, nil
	}
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		s := strings.TrimSpace(raw)
		if s == "" || s[0] == '#' {
			doc.lines = append(doc.lines, docLine{raw: raw})
			continue
		}
		a, err := parseAccount(s)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if prev, dup := seen[a.name]; dup {
			return nil, fmt.Errorf("%s:%d: user %q already defined on line %d", path, n, a.name, prev)
		}
		seen[a.name] = n
		doc.lines = append(doc.lines, docLine{acct: a})
	}
	return doc, nil
}

func parseAccount(s string) (*account, error) {
	f := strings.Split(s, ":")
	if len(f) < 3 || len(f) > 5 {
		return nil, errors.New("want name:role:argon2id-hash[:digest-HA1[:sealed-password]]")
	}
	a := &account{name: f[0], role: Role(f[1]), phc: f[2]}
	if !validName(a.name) {
		return nil, fmt.Errorf("bad user name %q: want 1 to 32 of A-Z a-z 0-9 . _ -", a.name)
	}
	if !a.role.Valid() {
		return nil, fmt.Errorf("user %s: unknown role %q: want admin or viewer", a.name, f[1])
	}
	h, err := parsePHC(a.phc)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", a.name, err)
	}
	a.hash = h
	if len(f) >= 4 {
		ha1 := strings.ToLower(f[3])
		if len(ha1) != 32 || strings.Trim(ha1, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("user %s: bad digest HA1: want 32 hex digits", a.name)
		}
		a.ha1 = ha1
	}
	if len(f) == 5 {
		if !validSealed(f[4]) {
			return nil, fmt.Errorf("user %s: bad sealed password: want %s followed by base64url", a.name, sealPrefix)
		}
		a.sealed = f[4]
	}
	return a, nil
}

// accounts returns the accounts by name.
func (d *usersDoc) accounts() map[string]*account {
	m := make(map[string]*account)
	for _, l := range d.lines {
		if l.acct != nil {
			m[l.acct.name] = l.acct
		}
	}
	return m
}

// set replaces the account of the same name, or appends a.
func (d *usersDoc) set(a *account) {
	for i, l := range d.lines {
		if l.acct != nil && l.acct.name == a.name {
			d.lines[i].acct = a
			return
		}
	}
	d.lines = append(d.lines, docLine{acct: a})
}

// remove deletes the named account and reports whether it existed.
func (d *usersDoc) remove(name string) bool {
	for i, l := range d.lines {
		if l.acct != nil && l.acct.name == name {
			d.lines = append(d.lines[:i], d.lines[i+1:]...)
			return true
		}
	}
	return false
}

func (d *usersDoc) bytes() []byte {
	var b bytes.Buffer
	if len(d.lines) == 0 || d.lines[0].acct != nil {
		b.WriteString(usersHeader)
	}
	for _, l := range d.lines {
		if l.acct != nil {
			b.WriteString(l.acct.line())
		} else {
			b.WriteString(l.raw)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
