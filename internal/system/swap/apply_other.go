//go:build !linux

package swap

import (
	"context"
	"fmt"
	"runtime"
)

// Apply is only supported on Linux.
func Apply(ctx context.Context, cfg Config, opts Options) (Result, error) {
	if !cfg.ZRAM && !cfg.File {
		return Result{}, nil
	}
	return Result{}, fmt.Errorf("swap: not supported on %s", runtime.GOOS)
}

// Off is only supported on Linux.
func Off(ctx context.Context, res Result, opts Options) error {
	if len(res.On) == 0 {
		return nil
	}
	return fmt.Errorf("swap: not supported on %s", runtime.GOOS)
}

// EnsureFile is only supported on Linux.
func EnsureFile(ctx context.Context, path string, size int64) (bool, error) {
	return false, fmt.Errorf("swap: not supported on %s", runtime.GOOS)
}
