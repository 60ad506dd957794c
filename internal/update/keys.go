package update

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// builtinPublicKey is the release key(s) this build trusts, standard base64, separated by commas
// or spaces; set at link time by the release script:
//
//	-ldflags "-X github.com/freecam/freecam/internal/update.builtinPublicKey=BASE64"
//
// It is only ever written by the linker.
var builtinPublicKey = ""

// BuiltinPublicKeys returns the keys this build was linked with (none in a development build).
func BuiltinPublicKeys() ([]ed25519.PublicKey, error) {
	if builtinPublicKey == "" {
		return nil, nil
	}
	keys, err := ParsePublicKeys(builtinPublicKey)
	if err != nil {
		return nil, fmt.Errorf("built-in release key: %w", err)
	}
	return keys, nil
}

// ParsePublicKeys parses one or more standard-base64 ed25519 public keys separated by commas,
// spaces or line breaks (the config's value, or a .pub file). Its errors never contain the value:
// it may be a private key put there by mistake, and errors reach logs and viewer-readable pages.
func ParsePublicKeys(s string) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	for i, f := range fields {
		if err := PublicKeyProblem(f); err != nil {
			if len(fields) > 1 {
				return nil, fmt.Errorf("key %d of %d: %w", i+1, len(fields), err)
			}
			return nil, err
		}
		b, _ := base64.StdEncoding.DecodeString(f)
		keys = append(keys, ed25519.PublicKey(b))
	}
	if len(keys) == 0 {
		return nil, errors.New("no public key given")
	}
	return keys, nil
}

// ErrPrivateKeyGiven is wrapped by PublicKeyProblem's error for a private key given where a
// public key belongs.
var ErrPrivateKeyGiven = errors.New("this is a release PRIVATE key, not the public key: use the .pub file that freecam release keygen wrote next to it, and treat this private key as leaked (make a new pair with freecam release keygen and sign releases with the new key)")

// PublicKeyProblem says what is wrong with one base64 public key, nil when it is a 32-byte
// ed25519 public key. A 64-byte value (an ed25519 private key, as in the key file of freecam
// release keygen) gets ErrPrivateKeyGiven. The error never contains the value.
func PublicKeyProblem(f string) error {
	b, err := base64.StdEncoding.DecodeString(f)
	switch {
	case err != nil:
		return fmt.Errorf("public key is not standard base64 (%d characters): want the 32-byte ed25519 key of a .pub file from freecam release keygen", len(f))
	case len(b) == ed25519.PrivateKeySize:
		return ErrPrivateKeyGiven
	case len(b) != ed25519.PublicKeySize:
		return fmt.Errorf("public key decodes to %d bytes: want the 32-byte ed25519 key of a .pub file from freecam release keygen", len(b))
	}
	return nil
}

// ParsePrivateKey parses a private key file's content: the 64-byte ed25519 private key (seed
// then public key) in standard base64. The public half must match the seed, so a public key or
// a damaged file is not taken for a private key.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("private key: want %d bytes in standard base64 (a file from freecam release keygen)", ed25519.PrivateKeySize)
	}
	k := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
	if !k.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(b[ed25519.SeedSize:])) {
		return nil, fmt.Errorf("private key: damaged (its public half does not match its seed)")
	}
	return k, nil
}

// GenerateKey returns a new key pair as the text of its two files: the private key (to keep 0600
// and off the camera) and the public key (for the build or the config), each base64
// with a trailing newline.
func GenerateKey() (private, public string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(priv) + "\n", base64.StdEncoding.EncodeToString(pub) + "\n", nil
}
