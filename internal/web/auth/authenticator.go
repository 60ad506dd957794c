package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// Options configure an Authenticator. The zero value is the documented defaults, except
// ConfigDir, which is required.
type Options struct {
	// ConfigDir holds the users file, freecam.users.
	ConfigDir string
	// Log receives account changes, file problems and throttling (never a password). Default: discard.
	Log *slog.Logger
	// SessionTTL is the idle time after which a browser session ends. Default 12 h.
	SessionTTL time.Duration
	// MaxSessions bounds the sessions kept in memory; the least recently used goes first.
	// Default 64.
	MaxSessions int
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
}

// Account is what may be shown of an account: never its hashes.
type Account struct {
	Name   string `json:"name"`
	Role   Role   `json:"role"`
	Digest bool   `json:"digest"` // the account may use HTTP Digest (its HA1 is stored)
}

const (
	cacheTTL     = 10 * time.Minute
	cacheEntries = 256
	// fileCheckEvery is how often, at most, the users file is checked for changes made by
	// `freecam passwd` or by hand.
	fileCheckEvery = time.Second
	// MinPasswordLen is the shortest password SetPassword accepts, in characters.
	MinPasswordLen = 8
	maxPasswordLen = 1024
	maxUsersFile   = 1 << 20
)

// Authenticator owns the accounts and checks credentials: session cookies, HTTP Basic and Digest,
// the login form, and passwords from other protocols. It is safe for concurrent use.
type Authenticator struct {
	path    string
	log     *slog.Logger
	now     func() time.Time
	params  argonParams
	limiter *Limiter

	nonceKey []byte // signs Digest nonces
	ncs      nonceCounts
	cacheKey []byte // keys the verification cache

	sem       chan struct{} // one argon2 computation at a time: bounded memory on the camera
	argonRuns atomic.Int64  // argon2 computations, for tests

	wmu sync.Mutex // serialises changes of the users file

	keyMu sync.Mutex // guards key
	key   []byte     // the sealing key (KeyFile), read or created on first use

	mu        sync.Mutex
	accounts  map[string]*account // replaced as a whole, never changed in place
	anyDigest bool
	stat      fs.FileInfo // of the users file as last read; nil if there was none
	checked   time.Time   // when the file was last stat'ed
	badFile   string      // the last parse error logged, so it is logged once
	cache     map[[32]byte]cacheEntry
	sessions  sessions
	dummy     *phcHash        // verified against for unknown names, so they take as long as known ones
	warned    map[string]bool // warnings logged once (DigestSecret)
}

// New returns an Authenticator for the users file in o.ConfigDir. A missing file is no accounts
// (see EnsureAdmin); a file that cannot be parsed is an error naming its line.
func New(o Options) (*Authenticator, error) {
	if o.ConfigDir == "" {
		return nil, errors.New("auth: ConfigDir is required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 64
	}
	a := &Authenticator{
		path:     filepath.Join(o.ConfigDir, UsersFile),
		log:      o.Log,
		now:      o.Now,
		params:   defaultParams,
		limiter:  NewLimiter(LimiterOptions{Log: o.Log, Now: o.Now}),
		nonceKey: randomKey(),
		cacheKey: randomKey(),
		sem:      make(chan struct{}, 1),
		cache:    make(map[[32]byte]cacheEntry),
		sessions: sessions{ttl: o.SessionTTL, max: o.MaxSessions, m: make(map[[32]byte]*session)},
	}
	a.dummy = dummyHash(a.params)
	doc, fi, err := a.readFile()
	if err != nil {
		return nil, err
	}
	a.install(doc, fi)
	a.checked = a.now()
	return a, nil
}

func randomKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// readFile reads and parses the users file; a missing file is an empty document.
func (a *Authenticator) readFile() (*usersDoc, fs.FileInfo, error) {
	f, err := os.Open(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &usersDoc{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("auth: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxUsersFile))
	if err != nil {
		return nil, nil, fmt.Errorf("auth: %w", err)
	}
	doc, err := parseUsers(a.path, data)
	if err != nil {
		return nil, nil, err
	}
	return doc, fi, nil
}

// install makes doc the current accounts; a.mu is held (or a is not shared yet). The
// verification cache is dropped, and the sessions of accounts that were removed or whose password
// changed end.
func (a *Authenticator) install(doc *usersDoc, fi fs.FileInfo) {
	accts := doc.accounts()
	for name, old := range a.accounts {
		if n, ok := accts[name]; !ok || n.phc != old.phc {
			a.sessions.endUser(name)
		}
	}
	a.accounts, a.stat = accts, fi
	a.anyDigest = false
	for _, ac := range accts {
		a.anyDigest = a.anyDigest || ac.ha1 != ""
	}
	clear(a.cache)
}

// refresh re-reads the users file when it changed (another inode, size or mtime), checking at
// most once per fileCheckEvery; a.mu is held. A file that no longer parses is logged once and the
// accounts read before stay in force.
func (a *Authenticator) refresh() {
	now := a.now()
	if d := now.Sub(a.checked); d >= 0 && d < fileCheckEvery {
		return
	}
	a.checked = now
	fi, err := os.Stat(a.path)
	if err != nil {
		fi = nil
		if !errors.Is(err, fs.ErrNotExist) {
			a.logBadFile(err)
			return
		}
	}
	if sameFile(a.stat, fi) {
		return
	}
	doc, fi, err := a.readFile()
	if err != nil {
		a.logBadFile(err)
		return
	}
	a.badFile = ""
	a.install(doc, fi)
	a.log.Info("users file changed: accounts reloaded", "file", a.path, "accounts", len(a.accounts))
}

func (a *Authenticator) logBadFile(err error) {
	if msg := err.Error(); msg != a.badFile {
		a.badFile = msg
		a.log.Error("users file: keeping the accounts read before", "err", err)
	}
}

func sameFile(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// account returns the named account after checking the file for changes.
func (a *Authenticator) account(name string) *account {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh()
	return a.accounts[name]
}

// Users returns the accounts sorted by name, without any hash.
func (a *Authenticator) Users() []Account {
	a.mu.Lock()
	a.refresh()
	out := make([]Account, 0, len(a.accounts))
	for _, ac := range a.accounts {
		out = append(out, Account{Name: ac.name, Role: ac.role, Digest: ac.ha1 != ""})
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y Account) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// checkPassword says what is wrong with a new password, without quoting it.
func checkPassword(p string) error {
	if !utf8.ValidString(p) {
		return errors.New("auth: the password is not valid UTF-8")
	}
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLen {
		return fmt.Errorf("auth: the password is too short: %d characters, want at least %d", n, MinPasswordLen)
	}
	if len(p) > maxPasswordLen {
		return fmt.Errorf("auth: the password is too long: want at most %d bytes", maxPasswordLen)
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return errors.New("auth: the password contains a control character")
		}
	}
	return nil
}

// SetPassword creates the account name with role and password, or changes an existing one's
// password and role. With digest, the account's HTTP Digest HA1 and its password sealed with the
// key file (for ONVIF's WS-Security PasswordDigest; see KeyFile) are stored too, both
// password-equivalent; without, they are removed. The user's sessions end and
// cached verifications are dropped. It blocks for one argon2id computation and the file write.
func (a *Authenticator) SetPassword(name string, role Role, password string, digest bool) error {
	ac, err := a.newAccount(name, role, password, digest)
	if err != nil {
		return err
	}
	created := false
	err = a.edit(func(doc *usersDoc) error {
		accts := doc.accounts()
		old, ok := accts[name]
		created = !ok
		if ok && old.role == Admin && role != Admin && countAdmins(accts) == 1 {
			return fmt.Errorf("%w: %s is the only admin", ErrLastAdmin, name)
		}
		doc.set(ac)
		return nil
	})
	if err != nil {
		return err
	}
	verb := "password changed"
	if created {
		verb = "account created"
	}
	a.log.Info(verb, "user", name, "role", role, "digest", digest)
	return nil
}

// newAccount checks a new account's fields and hashes its password.
func (a *Authenticator) newAccount(name string, role Role, password string, digest bool) (*account, error) {
	if !validName(name) {
		return nil, fmt.Errorf("auth: bad user name %q: want 1 to 32 of A-Z a-z 0-9 . _ -", name)
	}
	if !role.Valid() {
		return nil, fmt.Errorf("auth: unknown role %q: want admin or viewer", role)
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	a.sem <- struct{}{}
	a.argonRuns.Add(1)
	phc := hashPassword(a.params, password)
	<-a.sem
	h, err := parsePHC(phc)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err) // cannot happen: we just made it
	}
	ac := &account{name: name, role: role, phc: phc, hash: h}
	if digest {
		ac.ha1 = digestHA1(name, password)
		if ac.sealed, err = a.seal(name, password); err != nil {
			return nil, err
		}
	}
	return ac, nil
}

// DeleteUser removes the account name and ends its sessions. It refuses to remove the last admin.
func (a *Authenticator) DeleteUser(name string) error {
	err := a.edit(func(doc *usersDoc) error {
		accts := doc.accounts()
		old, ok := accts[name]
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownUser, name)
		}
		if old.role == Admin && countAdmins(accts) == 1 {
			return fmt.Errorf("%w: %s is the only admin", ErrLastAdmin, name)
		}
		doc.remove(name)
		return nil
	})
	if err != nil {
		return err
	}
	a.log.Info("account deleted", "user", name)
	return nil
}

func countAdmins(accts map[string]*account) int {
	n := 0
	for _, ac := range accts {
		if ac.role == Admin {
			n++
		}
	}
	return n
}

// edit reads the users file afresh (another process may have changed it), applies change, writes
// the file atomically with mode 0600 and installs the result.
func (a *Authenticator) edit(change func(*usersDoc) error) error {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	doc, _, err := a.readFile()
	if err != nil {
		return err
	}
	if err := change(doc); err != nil {
		return err
	}
	if err := shellconf.WriteFileAtomic(a.path, doc.bytes(), 0o600); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	// WriteFileAtomic keeps an existing file's mode; the hashes are nobody else's business.
	if err := os.Chmod(a.path, 0o600); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	fi, err := os.Stat(a.path)
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	a.mu.Lock()
	a.install(doc, fi)
	a.badFile = ""
	a.mu.Unlock()
	return nil
}

// passwordAlphabet leaves out characters that are easily confused: 0 O o 1 l I.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomPassword returns n characters drawn uniformly from passwordAlphabet with crypto/rand.
func randomPassword(n int) string {
	const limit = 256 - 256%len(passwordAlphabet) // reject above, so every character is equally likely
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out)
}

// errHasAccounts stops EnsureAdmin's edit when the file already has an account.
var errHasAccounts = errors.New("auth: the users file has accounts")

// EnsureAdmin creates the account admin with a random 16-character password when the users file
// holds no account at all, and returns that password for the caller to show once. Otherwise it
// returns created false and changes nothing. There is never a default password.
func (a *Authenticator) EnsureAdmin() (password string, created bool, err error) {
	if len(a.Users()) > 0 {
		return "", false, nil
	}
	password = randomPassword(16)
	ac, err := a.newAccount("admin", Admin, password, false)
	if err != nil {
		return "", false, err
	}
	err = a.edit(func(doc *usersDoc) error {
		if len(doc.accounts()) > 0 { // checked again under the write lock, with the file as it is now
			return errHasAccounts
		}
		doc.set(ac)
		return nil
	})
	if errors.Is(err, errHasAccounts) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	a.log.Info("created the admin account: no account existed", "file", a.path)
	return password, true, nil
}
