package camtest

import (
	"fmt"
	"github.com/freecam/freecam/internal/deliver"
	"slices"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
)

// Status returns the overview; Restarts is the number of Restart calls.
func (c *Camera) Status() camera.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Restarts = uint64(c.restarts)
	s.ConfigErr = slices.Clone(s.ConfigErr)
	return s
}

// Config returns the configuration last loaded.
func (c *Camera) Config() *conf.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg
}

// ConfigDir returns the dir given to NewIn, "" for New.
func (c *Camera) ConfigDir() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dir
}

// Reload re-loads the config dir (New: the defaults). A refused configuration is kept out,
// listed in Status().ConfigErr and returned.
func (c *Camera) Reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("Reload")
	if err := c.fail["Reload"]; err != nil {
		return err
	}
	if c.dir == "" {
		c.cfg = conf.Defaults()
		c.status.ConfigErr = nil
		c.applyConfig()
		return nil
	}
	cfg, _, err := conf.Load(c.dir)
	if err != nil {
		c.status.ConfigErr = []string{err.Error()}
		return fmt.Errorf("reload: %w", err)
	}
	c.cfg, c.status.ConfigErr = cfg, nil
	c.applyConfig()
	return nil
}

// Restart counts a restart; nothing else happens.
func (c *Camera) Restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("Restart")
	c.restarts++
}

// Events returns the most recent events first, at most n.
func (c *Camera) Events(n int) []camera.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.events)
	slices.Reverse(out)
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Thumb returns an event's thumbnail.
func (c *Camera) Thumb(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.thumbs[id]
	return b, ok
}

// MediaRoots returns {"recordings": what SetMediaDir set}, or none by default.
func (c *Camera) MediaRoots() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mediaDir == "" {
		return nil
	}
	return map[string]string{"recordings": c.mediaDir}
}

// Logs returns the last n log lines, oldest first.
func (c *Camera) Logs(n int) []camera.LogLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.logs
	if n >= 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return slices.Clone(out)
}

// Deliveries returns what SetDeliveries set (none by default).
func (c *Camera) Deliveries() []deliver.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.deliveries)
}

// SetDeliveries sets what Deliveries returns.
func (c *Camera) SetDeliveries(d []deliver.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deliveries = d
}
