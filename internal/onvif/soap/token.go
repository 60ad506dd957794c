package soap

import "log/slog"

// PasswordType is the kind of password a UsernameToken carries.
type PasswordType int

// Password types. A Password without a Type attribute is PasswordText, the profile's default.
const (
	PasswordText PasswordType = iota
	PasswordDigest
	PasswordUnsupported // a Type other than #PasswordText or #PasswordDigest
)

// String returns "Text", "Digest" or "Unsupported".
func (t PasswordType) String() string {
	switch t {
	case PasswordText:
		return "Text"
	case PasswordDigest:
		return "Digest"
	}
	return "Unsupported"
}

// UsernameToken is a WS-Security UsernameToken (OASIS UsernameToken Profile 1.0) as sent.
type UsernameToken struct {
	Username string
	// Password is the clear password (PasswordText) or Base64(SHA-1(nonce+created+password))
	// (PasswordDigest).
	Password     string
	PasswordType PasswordType
	// Nonce is the base64-decoded Nonce; nil when absent or not valid base64 (NonceRaw then
	// holds the text).
	Nonce    []byte
	NonceRaw string
	// Created is the exact wsu:Created text: the digest is computed over it byte for byte.
	Created string
}

// LogValue keeps the password out of logs.
func (t *UsernameToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user", t.Username),
		slog.String("type", t.PasswordType.String()),
		slog.String("password", "REDACTED"),
		slog.String("created", t.Created),
	)
}
