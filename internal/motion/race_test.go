//go:build race

package motion

// raceEnabled shortens the longest scenes under the race detector, which makes the per-pixel
// loops about fifteen times slower; the detector has no concurrency of its own to check.
const raceEnabled = true
