package update

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// BinaryVersion runs `path version --json` and returns its version field. A freecam too old to
// know --json is asked `path version`, whose first line is "freecam VERSION". timeout <= 0
// means 30 s (a 64 MB camera starting a second Go binary is slow).
func BinaryVersion(ctx context.Context, path string, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = defaultRunCheckTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := runQuiet(ctx, path, "version", "--json")
	if err == nil {
		var v struct {
			Version *string `json:"version"`
		}
		if jerr := json.Unmarshal(out, &v); jerr != nil || v.Version == nil {
			return "", fmt.Errorf("`version --json` printed no version field (output %q)", trim(string(out)))
		}
		return *v.Version, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("`version --json`: %w", ctx.Err())
	}
	out, err = runQuiet(ctx, path, "version")
	if err != nil {
		return "", fmt.Errorf("the binary does not run (`version`: %w; output %q)", err, trim(string(out)))
	}
	first, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(first)
	if len(f) != 2 || f[0] != "freecam" {
		return "", fmt.Errorf("`version` printed %q, want \"freecam VERSION\" on its first line", trim(first))
	}
	return f[1], nil
}

func runQuiet(ctx context.Context, path string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = []string{}
	err := cmd.Run()
	return out.Bytes(), err
}

// sameVersion reports whether two version strings name the same version, a leading "v" aside.
func sameVersion(a, b string) bool {
	return strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v")
}

// unknownVersion stands for a version that could not be read from its binary.
const unknownVersion = "unknown"

// diskVersion is the version of the binary at path: running, when path is the file this process
// runs from (no second process needed), else what the binary says, else "unknown".
func diskVersion(ctx context.Context, path, running string, timeout time.Duration) string {
	if running != "" {
		self, err1 := os.Stat("/proc/self/exe")
		disk, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(self, disk) {
			return running
		}
	}
	v, err := BinaryVersion(ctx, path, timeout)
	if err != nil || v == "" {
		return unknownVersion
	}
	return v
}
