package conf

import "log/slog"

// Secret is a string that must not be shown: it prints and logs as
// REDACTED. Use string(s) where the real value is needed.
type Secret string

// String returns "REDACTED" (or "" for an empty secret, so "not set" stays visible).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `conf.Secret("REDACTED")` }

// LogValue logs the secret as REDACTED.
func (s Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// MarshalText keeps encoders (JSON, text) from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
