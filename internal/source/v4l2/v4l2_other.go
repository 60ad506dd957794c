//go:build !linux

package v4l2

import (
	"context"
	"fmt"

	"github.com/freecam/freecam/internal/source"
)

// Run fails: V4L2 exists on Linux only.
func (s *Source) Run(ctx context.Context, sink source.Sink) error {
	return fmt.Errorf("v4l2: %s: V4L2 devices are supported on Linux only; use exec: or y4m: here", s.device)
}
