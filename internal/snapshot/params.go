package snapshot

import (
	"fmt"
	"net/url"
	"strconv"
)

// Limits of the fps parameter of /mjpeg.
const (
	MinFPS = 0.1
	MaxFPS = 60
)

// params are the query parameters of /snapshot.jpg and /mjpeg.
type params struct {
	req Request
	fps float64 // 0: as fast as frames come
}

// parseParams reads width, height, quality and (if withFPS) fps. An absent or empty parameter
// takes its default; anything else out of range is an error naming the parameter and its range.
// Unknown parameters are ignored (browsers add cache-busting ones).
func parseParams(q url.Values, withFPS bool) (params, error) {
	var p params
	var err error
	if p.req.Width, err = intParam(q, "width", MinDimension, MaxDimension); err != nil {
		return p, err
	}
	if p.req.Height, err = intParam(q, "height", MinDimension, MaxDimension); err != nil {
		return p, err
	}
	if p.req.Quality, err = intParam(q, "quality", 1, 100); err != nil {
		return p, err
	}
	if withFPS {
		if s := q.Get("fps"); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !(v >= MinFPS && v <= MaxFPS) {
				return p, fmt.Errorf("fps: must be a number between %g and %g (got %q)", float64(MinFPS), float64(MaxFPS), s)
			}
			p.fps = v
		}
	}
	return p, nil
}

func intParam(q url.Values, name string, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s: must be an integer between %d and %d (got %q)", name, lo, hi, s)
	}
	return v, nil
}
