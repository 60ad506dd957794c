package conf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AutoNightFile is the firmware's auto night config.
const AutoNightFile = "autonight.conf"

// Auto night modes (autonight_mode).
const (
	NightModeVirtual = "virtual" // the picture's mean brightness (the firmware's "sw" maps here)
	NightModeHW      = "hw"      // the ADC light sensor
	NightModeSim     = "sim"     // the simulated HAL's light sensor
	NightModeOff     = "off"     // manual switching only
)

// AutoNight is autonight.conf: the firmware's keys (autonight_mode, hw_parameters,
// sw_parameters, ir_led_off) and freecam's own (thresholds, window, confirmation, dwell). Levels
// are in the sensor's units: ADC counts for hw (and sim, which imitates it), mean luma 0–255 for
// virtual.
type AutoNight struct {
	// Mode is autonight_mode: virtual (default), hw, sim or off. The firmware's sw (ISP
	// exposure) reads as virtual with a warning: freecam has no ISP to ask.
	Mode string
	// IRLEDOff is ir_led_off: keep the IR LED off at night (behind glass); default false.
	IRLEDOff bool
	// NightAt is night_at: night when the window's average is at or below it. Default 40
	// (hw, sim: the firmware's -O; virtual: a dark picture).
	NightAt float64
	// DayAt is day_at: day when the average is at or above it; above NightAt. Default 45 for
	// hw and sim (the firmware's -F), 55 for virtual.
	DayAt float64
	// LeaveNightAt is leave_night_at: the day threshold while in night; 0 (default) means DayAt
	// for hw and sim, and a calibration at each switch for virtual (the IR LED lights the picture).
	LeaveNightAt float64
	// Interval is sample_interval: time between samples; default 10 s (the firmware's -d).
	Interval time.Duration
	// Reads is how many sensor reads make one sample: the firmware's -a, default 25 for hw, 1 otherwise.
	Reads int
	// Window is window: samples averaged; default 5 (the firmware's -n).
	Window int
	// Confirm is confirm: how long the average must stay past a threshold; default 120 s, 0 = none.
	Confirm time.Duration
	// MinDwell is min_dwell: the shortest time between two automatic switches; default 60 s, 0 = none.
	MinDwell time.Duration
}

// DefaultAutoNight returns the defaults (the built-in autonight.conf.dist).
func DefaultAutoNight() AutoNight {
	return defaultAutoNightFor(NightModeVirtual)
}

func defaultAutoNightFor(mode string) AutoNight {
	a := AutoNight{
		Mode: mode, NightAt: 40, DayAt: 45, Reads: 1,
		Interval: 10 * time.Second, Window: 5, Confirm: 2 * time.Minute, MinDwell: time.Minute,
	}
	switch mode {
	case NightModeVirtual:
		a.DayAt = 55
	case NightModeHW:
		a.Reads = 25
	}
	return a
}

func (a *AutoNight) decode(r *reader) {
	mode := a.Mode
	if s, line, ok := r.str("autonight_mode"); ok {
		switch m := strings.ToLower(strings.TrimSpace(s)); m {
		case NightModeVirtual, NightModeHW, NightModeSim, NightModeOff:
			mode = m
		case "sw":
			mode = NightModeVirtual
			r.warn(line, "autonight_mode", "sw (the firmware's ISP exposure method) is not available in freecam; using virtual (the picture's brightness)")
		default:
			r.fail(line, "autonight_mode", "must be virtual, hw, sim or off (or the firmware's sw, read as virtual) (got %q)", s)
		}
	}
	if mode != a.Mode {
		*a = defaultAutoNightFor(mode) // the mode's thresholds; the keys below override them
	}
	a.parameters(r, "hw_parameters", mode == NightModeHW)
	a.parameters(r, "sw_parameters", mode == NightModeVirtual)
	r.bool(&a.IRLEDOff, "ir_led_off")
	nightLine := autoNightLevel(r, &a.NightAt, "night_at")
	dayLine := autoNightLevel(r, &a.DayAt, "day_at")
	autoNightLevel(r, &a.LeaveNightAt, "leave_night_at")
	r.seconds(&a.Interval, "sample_interval", false, 3600)
	r.int(&a.Window, "window", 1, 100, "samples")
	r.seconds(&a.Confirm, "confirm", true, 86400)
	r.seconds(&a.MinDwell, "min_dwell", true, 86400)
	if a.DayAt <= a.NightAt {
		line, key := dayLine, "day_at"
		if line == 0 {
			line, key = nightLine, "night_at"
		}
		r.fail(line, key, "day_at (%g) must be above night_at (%g): the gap between them is the hysteresis", a.DayAt, a.NightAt)
	}
}

// autoNightLevel reads a light level (a number, 0 or more) and returns its line (0 if absent).
func autoNightLevel(r *reader, dst *float64, key string) int {
	s, line, ok := r.str(key)
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v != v || v < 0 || v > 1e9 {
		r.fail(line, key, "must be a light level, a number of 0 or more in the sensor's units (got %q)", s)
		return line
	}
	*dst = v
	return line
}

// autonightFlags are the firmware autonight binary's options; a colon marks an argument.
const autonightFlags = "D:c:y:g:a:d:n:O:F:vShj:w:1:2:3:"

// parameters reads the firmware's autonight command line in key. Only the active mode's line is
// read (the firmware passed only that one): -a, -d, -n, -O and -F set Reads, Interval, Window,
// NightAt and DayAt; options without a freecam meaning are listed in one warning; a malformed
// option is an error.
func (a *AutoNight) parameters(r *reader, key string, active bool) {
	s, line, ok := r.str(key)
	if !ok || !active {
		return
	}
	// The firmware expanded it unquoted ($hw_parameters): plain word splitting, no quotes.
	words := strings.Fields(s)
	var ignored []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 2 || w[0] != '-' {
			ignored = append(ignored, strconv.Quote(w))
			continue
		}
		for j := 1; j < len(w); j++ {
			f := w[j]
			k := strings.IndexByte(autonightFlags, f)
			if k < 0 || f == ':' {
				r.fail(line, key, "unknown option -%c of the firmware's autonight (got %q)", f, s)
				return
			}
			var arg string
			if k+1 < len(autonightFlags) && autonightFlags[k+1] == ':' {
				switch {
				case j+1 < len(w):
					arg = w[j+1:]
				case i+1 < len(words):
					i++
					arg = words[i]
				default:
					r.fail(line, key, "option -%c needs a value (got %q)", f, s)
					return
				}
				j = len(w)
			}
			if !a.option(r, line, key, f, arg, &ignored) {
				return
			}
		}
	}
	if len(ignored) > 0 {
		r.warn(line, key, "freecam ignores %s: it has no ISP exposure method, never runs commands from the config (use the night_on/night_off events) and chooses the light sensor in its HAL config", strings.Join(ignored, " "))
	}
}

// option applies one firmware option; false after an error.
func (a *AutoNight) option(r *reader, line int, key string, f byte, arg string, ignored *[]string) bool {
	whole := func(dst *int, lo, hi int, what string) bool {
		n, err := strconv.Atoi(arg)
		if err != nil || n < lo || n > hi {
			r.fail(line, key, "option -%c: %s must be a whole number between %d and %d (got %q)", f, what, lo, hi, arg)
			return false
		}
		*dst = n
		return true
	}
	level := func(dst *float64, what string) bool {
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || v != v || v < 0 || v > 1e9 {
			r.fail(line, key, "option -%c: %s must be a number of 0 or more (got %q)", f, what, arg)
			return false
		}
		*dst = v
		return true
	}
	switch f {
	case 'a':
		return whole(&a.Reads, 1, 1000, "reads per sample")
	case 'd':
		var sec int
		if !whole(&sec, 1, 3600, "seconds between samples") {
			return false
		}
		a.Interval = time.Duration(sec) * time.Second
		return true
	case 'n':
		return whole(&a.Window, 1, 100, "window")
	case 'O':
		return level(&a.NightAt, "the night threshold")
	case 'F':
		return level(&a.DayAt, "the day threshold")
	case 'v', 'h', 'S':
		return true // verbosity, help; -S only says "software method", autonight_mode decides
	}
	opt := "-" + string(f)
	if arg != "" {
		opt += " " + arg
	}
	*ignored = append(*ignored, opt)
	return true
}

// writeText writes the effective autonight.conf for WriteText.
func (a AutoNight) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "\n[%s]\n", AutoNightFile)
	fmt.Fprintf(b, "autonight_mode=%s\nir_led_off=%t\nnight_at=%g\nday_at=%g\n", a.Mode, a.IRLEDOff, a.NightAt, a.DayAt)
	leave := "(day_at)"
	if a.LeaveNightAt > 0 {
		leave = strconv.FormatFloat(a.LeaveNightAt, 'g', -1, 64)
	} else if a.Mode == NightModeVirtual {
		leave = "(calibrated)"
	}
	fmt.Fprintf(b, "leave_night_at=%s\nsample_interval=%g\nreads=%d\nwindow=%d\nconfirm=%g\nmin_dwell=%g\n",
		leave, a.Interval.Seconds(), a.Reads, a.Window, a.Confirm.Seconds(), a.MinDwell.Seconds())
}
