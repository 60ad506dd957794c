//go:build race

package motion

// raceEnabled skips the longest scenes and the real footage under the race detector, which makes the per-pixel loops
// about fifteen times slower; the detector has no concurrency of its own to check, and the long
// scenes run in every ordinary `go test`.
const raceEnabled = true

// raceMaxFrames is the longest scene run under the race detector.
const raceMaxFrames = 150
