//go:build !race

package motion

const raceEnabled = false

const raceMaxFrames = 0
