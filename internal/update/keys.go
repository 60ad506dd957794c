package update

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
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
// spaces or line breaks (the config's value, or a .pub file).
func ParsePublicKeys(s string) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		b, err := base64.StdEncoding.DecodeString(f)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("public key %q: want %d bytes in standard base64", f, ed25519.PublicKeySize)
		}
		keys = append(keys, ed25519.PublicKey(b))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no public key in %q", s)
	}
	return keys, nil
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
