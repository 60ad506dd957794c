package settings

import (
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/conf"
)

// sizeOrDefault is pictureSize with conf's default for an absent size, as freecam reads it.
func sizeOrDefault(opts string) (w, h string) {
	w, h = pictureSize(opts)
	d := conf.DefaultRTSPServer()
	if w == "" {
		w = strconv.Itoa(d.Width)
	}
	if h == "" {
		h = strconv.Itoa(d.Height)
	}
	return w, h
}

// pictureSize returns the -W and -H values of an RTSPOPTS string ("-W1280 -H720", also
// "-W 1280"), "" for one that is absent.
func pictureSize(opts string) (w, h string) {
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 2 || (f[:2] != "-W" && f[:2] != "-H") {
			continue
		}
		arg := f[2:]
		if arg == "" && i+1 < len(fields) {
			i++
			arg = fields[i]
		}
		if f[:2] == "-W" {
			w = arg
		} else {
			h = arg
		}
	}
	return w, h
}

// withPictureSize returns opts with its -W and -H options replaced by w and h (an empty one
// removed), every other token kept in order. New options go first.
func withPictureSize(opts, w, h string) string {
	fields := strings.Fields(opts)
	var kept []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) >= 2 && (f[:2] == "-W" || f[:2] == "-H") {
			if f[2:] == "" && i+1 < len(fields) {
				i++ // the value as a separate word
			}
			continue
		}
		kept = append(kept, f)
	}
	var out []string
	if w != "" {
		out = append(out, "-W"+w)
	}
	if h != "" {
		out = append(out, "-H"+h)
	}
	return strings.Join(append(out, kept...), " ")
}
