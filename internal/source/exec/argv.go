package exec

import (
	"fmt"
	"strings"
)

// SplitArgs splits a command line into argv the way a POSIX shell splits words, without being
// one: whitespace separates words, single quotes keep everything literal, double quotes keep
// everything but \" \\ \$ and \` literal, and a backslash outside quotes escapes the next
// character. Unquoted | & ; < > ( ) ` and $ (and $ or ` inside double quotes) are refused,
// because there is no shell to give them a meaning.
func SplitArgs(line string) ([]string, error) {
	var (
		args    []string
		cur     strings.Builder
		inWord  bool
		single  bool
		double  bool
		escaped bool
	)
	for i, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case single:
			if r == '\'' {
				single = false
			} else {
				cur.WriteRune(r)
			}
		case double:
			switch r {
			case '"':
				double = false
			case '\\':
				// Only these are escapes inside double quotes; elsewhere the backslash stays.
				if next := peek(line, i+1); next == '"' || next == '\\' || next == '$' || next == '`' {
					escaped = true
				} else {
					cur.WriteRune(r)
				}
			case '$', '`':
				return nil, noShell(line, i, r)
			default:
				cur.WriteRune(r)
			}
		default:
			switch r {
			case ' ', '\t', '\n', '\r':
				if inWord {
					args = append(args, cur.String())
					cur.Reset()
					inWord = false
				}
				continue
			case '\'':
				single = true
			case '"':
				double = true
			case '\\':
				escaped = true
			case '|', '&', ';', '<', '>', '(', ')', '`', '$':
				return nil, noShell(line, i, r)
			default:
				cur.WriteRune(r)
			}
			inWord = true
		}
	}
	switch {
	case single || double:
		return nil, fmt.Errorf("exec: unterminated quote in %q", line)
	case escaped:
		return nil, fmt.Errorf("exec: trailing backslash in %q", line)
	}
	if inWord {
		args = append(args, cur.String())
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("exec: empty command")
	}
	return args, nil
}

func peek(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func noShell(line string, i int, r rune) error {
	return fmt.Errorf("exec: %q at offset %d of %q: freecam runs the command directly, without a shell, "+
		"so pipes, redirections, ';', '&&', '$(…)' and variables do not work; quote the character if it is meant literally, "+
		"or put the pipeline in a script and run that", r, i, line)
}
