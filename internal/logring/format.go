package logring

import (
	"encoding"
	"fmt"
	"log/slog"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// appendMessage appends the record's message, quoted when it holds control characters so one
// record is always one line (a message cannot forge another line of the log).
func appendMessage(b []byte, msg string) []byte {
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		if r < 0x20 || r == 0x7f || (r == utf8.RuneError && size == 1) {
			return strconv.AppendQuote(b, msg)
		}
		i += size
	}
	return append(b, msg...)
}

// appendAttr appends " key=value" (or the members of a group, their keys prefixed with the
// group's name), after resolving LogValuers so that what redacts itself stays redacted.
func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		members := a.Value.Group()
		if len(members) == 0 {
			return b
		}
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, m := range members {
			b = appendAttr(b, prefix, m)
		}
		return b
	}
	b = append(b, ' ')
	if (prefix != "" && needsQuoting(prefix)) || needsQuoting(a.Key) {
		b = strconv.AppendQuote(b, prefix+a.Key)
	} else {
		b = append(b, prefix...)
		b = append(b, a.Key...)
	}
	b = append(b, '=')
	return appendValue(b, a.Value)
}

// appendValue appends a resolved, non-group value the way slog's TextHandler writes it.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return appendString(b, v.Duration().String())
	case slog.KindTime:
		return v.Time().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	}
	switch x := v.Any().(type) {
	case nil:
		return append(b, "<nil>"...)
	case error:
		return appendString(b, x.Error())
	case encoding.TextMarshaler:
		t, err := x.MarshalText()
		if err != nil {
			return appendString(b, "!ERROR:"+err.Error())
		}
		return appendString(b, string(t))
	case []byte:
		return appendString(b, string(x))
	default:
		return appendString(b, fmt.Sprintf("%+v", x))
	}
}

// appendString appends s, quoted when it is empty or holds spaces, '=', quotes or unprintable
// characters.
func appendString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting reports whether s cannot be written bare in a key=value line.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r == ' ' || r == '=' || r == '"' || r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}

// truncate cuts b to at most MaxLine bytes at a character boundary, marking the cut with "…".
func truncate(b []byte) []byte {
	if len(b) <= MaxLine {
		return b
	}
	const mark = "…"
	i := MaxLine - len(mark)
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	return append(b[:i], mark...)
}
