package camtest

import (
	"slices"

	"github.com/freecam/freecam/internal/camera"
)

// System returns the system state set with SetSystem (the zero state until then: the system
// service stopped, as on an ordinary computer).
func (c *Camera) System() camera.SystemState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.system
	s.DNS = slices.Clone(s.DNS)
	s.Swap = slices.Clone(s.Swap)
	s.SwapAlreadyOn = slices.Clone(s.SwapAlreadyOn)
	return s
}

// SetSystem replaces the system state.
func (c *Camera) SetSystem(s camera.SystemState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.system = s
}
