//go:build !linux

package network

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
)

var errUnsupported = fmt.Errorf("network settings are not supported on %s", runtime.GOOS)

func setHostname(string) (bool, error) { return false, errUnsupported }

func (m *Manager) applyStatic(context.Context, string, Config) error {
	return fmt.Errorf("network: %w", errUnsupported)
}

func (m *Manager) dropOwned(string, netip.Prefix) error { return nil }

func (m *Manager) runDHCP(_ context.Context, ifname, _ string) {
	m.log.Error("network: dhcp", "interface", ifname, "err", errUnsupported)
}

func (m *Manager) adoptKept(string) {}
