package shellconf

import (
	"fmt"
	"log/slog"
)

// Issue is a problem found in a file: a parse error, a warning, or an
// error reported by a consumer. It prints as "file:line: KEY: message",
// leaving out the parts that are empty.
type Issue struct {
	File    string
	Line    int // 0 when the issue concerns the whole file
	Key     string
	Message string
}

// String formats the issue as "file:line: KEY: message".
func (i Issue) String() string {
	s := i.File
	if i.Line > 0 {
		s += fmt.Sprintf(":%d", i.Line)
	}
	if s != "" {
		s += ": "
	}
	if i.Key != "" {
		s += i.Key + ": "
	}
	return s + i.Message
}

// Error makes an Issue usable as an error.
func (i Issue) Error() string { return i.String() }

// LogValue logs the issue as one string.
func (i Issue) LogValue() slog.Value { return slog.StringValue(i.String()) }
