// Package conf is freecam's typed configuration: one struct per config file
// (rtspserver.conf, osd.conf of the Dafang firmware, and freecam's own
// freecam.conf), with the firmware's defaults, validation that reports every
// problem at once with file, line and key, and the built-in .dist files that
// EnsureFiles copies on first start.
//
// Files are read with shellconf and never executed. The package does no
// logging and keeps no global state; Load is safe to call concurrently on
// different directories.
package conf

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// File names in the config directory.
const (
	RTSPServerFile = "rtspserver.conf"
	OSDFile        = "osd.conf"
	FreecamFile    = "freecam.conf"
)

// Issue is one problem in a config file. It prints as
// `rtspserver.conf:12: BITRATE: must be a whole number of kbit/s (got "fast")`.
type Issue = shellconf.Issue

// Warning is a problem that does not stop the config from loading (an
// unknown key, a line that is not an assignment, CRLF line endings …).
type Warning = Issue

// Errors is every error found by Load, in file and line order.
type Errors []Issue

// Error joins the issues, one per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, is := range e {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// Config is the effective configuration.
type Config struct {
	RTSP      RTSPServer
	OSD       OSD
	Freecam   Freecam
	AutoNight AutoNight
	Recording Recording
	Timelapse Timelapse
	HAL       HAL
	Motion    Motion
	MQTT      MQTT
	Mail      Mail
	Telegram  Telegram
	Matrix    Matrix
	ONVIF     ONVIF
	Update    Update

	// Docs holds the parsed files by file name, for writers that change a
	// value in place (Doc.Set, Doc.WriteFile). A missing file has no entry.
	Docs map[string]*shellconf.Doc
}

// Defaults returns the configuration used when no file sets anything.
func Defaults() *Config {
	return &Config{
		RTSP:      DefaultRTSPServer(),
		OSD:       DefaultOSD(),
		Freecam:   DefaultFreecam(),
		AutoNight: DefaultAutoNight(),
		Recording: DefaultRecording(),
		Timelapse: DefaultTimelapse(),
		HAL:       DefaultHAL(),
		Motion:    DefaultMotion(),
		MQTT:      DefaultMQTT(),
		Mail:      DefaultMail(),
		Telegram:  Telegram{APIURL: "https://api.telegram.org"},
		Matrix:    Matrix{Port: 8448},
		ONVIF:     DefaultONVIF(),
		Update:    DefaultUpdate(),
		Docs:      make(map[string]*shellconf.Doc),
	}
}

// Load reads rtspserver.conf, osd.conf and freecam.conf from dir. A missing
// file means its defaults. It reports every problem at once: on error the
// returned error is Errors and the Config is nil. Warnings are returned in
// both cases.
//
// update.conf is the exception: an updates-only setting must not take the
// video down, so its errors (a missing UPDATE_CA_FILE, a mistaken
// UPDATE_PUBLIC_KEY, a file that does not read…) come back as warnings, and
// Config.Update is then updates off (DefaultUpdate, no manifest URL) with
// Update.Problem saying why. LoadUpdate still reports them as errors.
func Load(dir string) (*Config, []Warning, error) {
	return load(dir, nil, false)
}

// load is Load with some files replaced by documents held in memory (Apply's edited files).
// With strictUpdate, update.conf's errors are errors like any other file's.
func load(dir string, replaced map[string]*shellconf.Doc, strictUpdate bool) (*Config, []Warning, error) {
	cfg := Defaults()
	var errs Errors
	var warns []Warning
	read := func(name string, decode func(r *reader)) {
		d, err := replaced[name], error(nil)
		if d == nil {
			d, err = shellconf.ReadFile(filepath.Join(dir, name))
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return
		case d == nil:
			errs = append(errs, Issue{File: name, Message: fmt.Sprintf("cannot read: %v", err)})
			return
		case err != nil:
			var is Issue
			if !errors.As(err, &is) {
				is = Issue{File: name, Message: err.Error()}
			}
			errs = append(errs, is)
			return
		}
		cfg.Docs[name] = d
		warns = append(warns, d.Warnings...)
		r := &reader{file: name, doc: d, known: make(map[string]bool), errs: &errs, warns: &warns}
		decode(r)
		r.unknownKeys()
	}
	load := func(name string, decode func(r *reader)) {
		n, nw := len(errs), len(warns)
		read(name, decode)
		mine := errs[n:]
		sort.SliceStable(mine, func(i, j int) bool { return mine[i].Line < mine[j].Line })
		if name == UpdateFile && !strictUpdate && len(mine) > 0 {
			// Updates off, the rest of the camera runs: the errors become warnings.
			problem := slices.Clone(mine)
			errs = errs[:n]
			warns = append(warns, problem...)
			cfg.Update = DefaultUpdate()
			cfg.Update.Problem = problem.Error()
		}
		ws := warns[nw:]
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
	}
	load(RTSPServerFile, func(r *reader) { cfg.RTSP.decode(r) })
	load(OSDFile, func(r *reader) { cfg.OSD.decode(r) })
	load(FreecamFile, func(r *reader) { cfg.Freecam.decode(r) })
	load(AutoNightFile, func(r *reader) { cfg.AutoNight.decode(r) })
	load(RecordingFile, func(r *reader) { cfg.Recording.decode(r) })
	load(TimelapseFile, func(r *reader) { cfg.Timelapse.decode(r) })
	load(HALFile, func(r *reader) { cfg.HAL.decode(r) })
	load(ONVIFFile, func(r *reader) { cfg.ONVIF.decode(r) })
	load(UpdateFile, func(r *reader) { cfg.Update.decode(r) })
	load(MotionFile, func(r *reader) { cfg.Motion.decode(r) })
	load(MQTTFile, func(r *reader) { cfg.MQTT.decode(r) })
	load(MailFile, func(r *reader) { cfg.Mail.decode(r) })
	load(TelegramFile, func(r *reader) { cfg.Telegram.decode(r) })
	load(MatrixFile, func(r *reader) { cfg.Matrix.decode(r) })
	errs = append(errs, crossCheck(cfg)...)
	if len(errs) > 0 {
		return nil, warns, errs
	}
	return cfg, warns, nil
}

// crossCheck finds what no single file shows: motion rectangles outside the picture that
// rtspserver.conf sets.
func crossCheck(cfg *Config) Errors {
	var errs Errors
	pic := image.Rect(0, 0, cfg.RTSP.Width, cfg.RTSP.Height)
	for _, key := range []string{"region_of_interest", "motion_exclude"} {
		rects := cfg.Motion.Regions
		if key == "motion_exclude" {
			rects = cfg.Motion.Exclude
		}
		for _, r := range rects {
			if !r.In(pic) {
				line := 0
				if d := cfg.Docs[MotionFile]; d != nil {
					if e, ok := d.Lookup(key); ok {
						line = e.Line
					}
				}
				errs = append(errs, Issue{File: MotionFile, Line: line, Key: key,
					Message: fmt.Sprintf("rectangle %d,%d,%d,%d is outside the %dx%d picture (rtspserver.conf RTSPOPTS -W/-H)",
						r.Min.X, r.Min.Y, r.Max.X, r.Max.Y, pic.Dx(), pic.Dy())})
				break
			}
		}
	}
	return errs
}
