// Package tty reads a secret, such as a password, from a terminal without echoing it, or one line
// from anything else (a pipe, a file). It is for `freecam passwd`; it never logs what it reads.
package tty

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLine bounds a line read, so a runaway pipe cannot fill the memory.
const maxLine = 4096

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return isTerminal(int(f.Fd())) }

// ReadSecret reads one line from in: on a terminal with echo off, after writing prompt to out;
// otherwise exactly one line (the bytes after its newline stay unread), without prompting. The
// line ends at "\n" or the end of input; a trailing "\r" is dropped.
func ReadSecret(in *os.File, out io.Writer, prompt string) (string, error) {
	if !IsTerminal(in) {
		return readLine(in)
	}
	fmt.Fprint(out, prompt)
	defer fmt.Fprintln(out)
	return readNoEcho(in)
}

// readLine reads up to and without the first "\n", one byte at a time so nothing after it is
// consumed.
func readLine(r io.Reader) (string, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) >= maxLine {
				return "", fmt.Errorf("read secret: line longer than %d bytes", maxLine)
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", errors.New("read secret: no input")
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("read secret: %w", err)
		}
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}
