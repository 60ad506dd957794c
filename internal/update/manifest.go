package update

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Manifest is the release document served at Options.ManifestURL.
type Manifest struct {
	Version  string            `json:"version"`
	Released time.Time         `json:"released"`
	Notes    string            `json:"notes,omitempty"`
	Binaries map[string]Binary `json:"binaries"` // by platform, e.g. "linux/mipsle"
}

// Binary is one platform's file in a manifest.
type Binary struct {
	URL       string `json:"url"`       // absolute, or relative to the manifest's URL; https
	SHA256    string `json:"sha256"`    // lowercase hex
	Size      int64  `json:"size"`      // bytes
	Signature string `json:"signature"` // standard base64 ed25519 signature over SignedMessage
}

// signedPrefix names the message format; a new format gets a new prefix.
const signedPrefix = "freecam-update-v1\n"

// SignedMessage is the exact byte string a binary's signature covers (see the package comment).
func SignedMessage(version, platform, sha256hex string, size int64) ([]byte, error) {
	if err := checkField("version", version); err != nil {
		return nil, err
	}
	if err := checkField("platform", platform); err != nil {
		return nil, err
	}
	if b, err := hex.DecodeString(sha256hex); err != nil || len(b) != 32 || strings.ToLower(sha256hex) != sha256hex {
		return nil, fmt.Errorf("sha256 %q: want 64 lowercase hex digits", sha256hex)
	}
	if size <= 0 {
		return nil, fmt.Errorf("size %d: want a positive number of bytes", size)
	}
	return []byte(signedPrefix + version + "\n" + platform + "\n" + sha256hex + "\n" + strconv.FormatInt(size, 10) + "\n"), nil
}

func checkField(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", name)
	}
	if strings.ContainsAny(v, "\n\r\x00") || len(v) > 200 {
		return fmt.Errorf("%s %q: no line breaks or NULs, at most 200 bytes", name, v)
	}
	return nil
}

// Sign returns the base64 signature of one binary entry.
func Sign(key ed25519.PrivateKey, version, platform, sha256hex string, size int64) (string, error) {
	msg, err := SignedMessage(version, platform, sha256hex, size)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg)), nil
}

// ErrBadSignature is wrapped by every signature refusal.
var ErrBadSignature = errors.New("signature does not verify")

// Verify checks b's signature for version and platform against keys; any one key suffices.
func (b Binary) Verify(keys []ed25519.PublicKey, version, platform string) error {
	if len(keys) == 0 {
		return errors.New("no public key to verify the signature with: this build has none built in; set one in the config")
	}
	msg, err := SignedMessage(version, platform, b.SHA256, b.Size)
	if err != nil {
		return fmt.Errorf("manifest entry for %s: %w", platform, err)
	}
	sig, err := base64.StdEncoding.DecodeString(b.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("manifest entry for %s: signature is not %d bytes of base64: %w", platform, ed25519.SignatureSize, ErrBadSignature)
	}
	for _, k := range keys {
		if ed25519.Verify(k, msg, sig) {
			return nil
		}
	}
	return fmt.Errorf("%s %s (sha256 %s, %d bytes): %w with any of the %d trusted key(s)", version, platform, b.SHA256, b.Size, ErrBadSignature, len(keys))
}

// ParseManifest decodes and checks the shape of a manifest (not its signatures).
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest is not valid JSON: %w", err)
	}
	if err := checkField("version", m.Version); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if _, err := parseVersion(m.Version); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(m.Binaries) == 0 {
		return nil, errors.New("manifest lists no binaries")
	}
	return &m, nil
}
