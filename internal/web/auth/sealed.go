package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/freecam/freecam/internal/fsutil"
)

// KeyFile holds the key that seals the passwords of accounts that opted into digest
// authentication. It lives beside the users file, mode 0600.
//
// Why a password is kept at all: ONVIF's WS-Security PasswordDigest (what Home Assistant,
// Synology and the npm onvif client send) is SHA-1(nonce + created + password), so the camera
// must know the password itself, not a hash of it. An account that opts into digest (freecam
// passwd --digest) therefore has its password stored sealed with AES-256-GCM under this key.
// The users file alone (a copy on a NAS, a backup) does not give the password away; the users
// file together with this key does, which is the same trade-off as the HTTP Digest HA1 that such
// an account already has. Accounts without digest keep only the argon2id hash.
const KeyFile = "freecam.key"

// sealPrefix marks the format of a sealed password: "s1." + base64url(nonce ‖ AES-GCM sealed).
const sealPrefix = "s1."

// sealKey returns the sealing key, creating the key file when create is set and there is none.
func (a *Authenticator) sealKey(create bool) ([]byte, error) {
	a.keyMu.Lock()
	defer a.keyMu.Unlock()
	if a.key != nil {
		return a.key, nil
	}
	path := filepath.Join(filepath.Dir(a.path), KeyFile)
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != 32 {
			return nil, fmt.Errorf("auth: %s: want 32 bytes, found %d", path, len(key))
		}
	case errors.Is(err, fs.ErrNotExist) && create:
		key = make([]byte, 32)
		rand.Read(key)
		if err := fsutil.WriteFileAtomic(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
	default:
		return nil, fmt.Errorf("auth: %w", err)
	}
	a.key = key
	return key, nil
}

func gcmOf(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// seal encrypts password for the account name (the name is authenticated data: a sealed
// password moved to another line does not open).
func (a *Authenticator) seal(name, password string) (string, error) {
	key, err := a.sealKey(true)
	if err != nil {
		return "", err
	}
	g := gcmOf(key)
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(password)+g.Overhead())
	rand.Read(nonce)
	out := g.Seal(nonce, nonce, []byte(password), []byte(name))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// unseal is seal's inverse.
func (a *Authenticator) unseal(name, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealPrefix))
	if err != nil {
		return "", fmt.Errorf("auth: user %s: sealed password: %w", name, err)
	}
	key, err := a.sealKey(false)
	if err != nil {
		return "", err
	}
	g := gcmOf(key)
	if len(raw) < g.NonceSize()+g.Overhead() {
		return "", fmt.Errorf("auth: user %s: sealed password too short", name)
	}
	p, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], []byte(name))
	if err != nil {
		return "", fmt.Errorf("auth: user %s: the sealed password does not open with %s (was the key file replaced?): set the password again", name, KeyFile)
	}
	return string(p), nil
}

// validSealed reports whether s has the shape of a sealed password.
func validSealed(s string) bool {
	if !strings.HasPrefix(s, sealPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[len(sealPrefix):])
	return err == nil && len(s) > len(sealPrefix)+20
}
