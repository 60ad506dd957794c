package timelapse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"

	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/record"
)

var errNoPictures = errors.New("timelapse: no pictures")

// isDay reports whether s is a YYYY-MM-DD date.
func isDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

// pendingDays lists the days before today that have pictures but no video, oldest first.
func (t *Timelapse) pendingDays(today string) []string {
	entries, err := os.ReadDir(t.opts.Dir)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var days []string
	for _, e := range entries {
		name := e.Name()
		var day string
		switch {
		case !t.opts.FlatDir && e.IsDir() && isDay(name):
			day = name
		case t.opts.FlatDir && !e.IsDir() && strings.HasSuffix(name, ".jpg") && len(name) > 10 && isDay(name[:10]):
			day = name[:10]
		default:
			continue
		}
		if day >= today || seen[day] {
			continue
		}
		seen[day] = true
		if _, err := os.Stat(VideoPath(t.opts.Dir, day, t.opts.FlatDir)); err == nil {
			continue
		}
		days = append(days, day)
	}
	slices.Sort(days)
	return days
}

// dayPictures lists the pictures of day in the order they were taken.
func (t *Timelapse) dayPictures(day string) ([]string, error) {
	root := t.opts.Dir
	if !t.opts.FlatDir {
		root = filepath.Join(t.opts.Dir, day)
	}
	var pics []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && t.opts.FlatDir {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.Type().IsRegular() && strings.HasPrefix(name, day+"_") && strings.HasSuffix(name, ".jpg") {
			pics = append(pics, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timelapse: list %s: %w", root, err)
	}
	// Names start with the date and time, so base names sort in the order taken.
	slices.SortFunc(pics, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	return pics, nil
}

// assemble writes the video of day and returns its frame count. Pictures of another size than
// the first are left out.
func (t *Timelapse) assemble(ctx context.Context, day string) (int, error) {
	pics, err := t.dayPictures(day)
	if err != nil {
		return 0, err
	}
	if len(pics) == 0 {
		return 0, errNoPictures
	}
	first, err := os.ReadFile(pics[0])
	if err != nil {
		return 0, fmt.Errorf("timelapse: %w", err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(first))
	if err != nil {
		return 0, fmt.Errorf("timelapse: %s: %w", pics[0], err)
	}
	w, h := cfg.Width&^1, cfg.Height&^1
	out := VideoPath(t.opts.Dir, day, t.opts.FlatDir)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return 0, fmt.Errorf("timelapse: %w", err)
	}
	fps := t.opts.VideoFPS
	enc, err := t.opts.NewH264(encode.H264Options{Width: w, Height: h, FPSNum: fps, FPSDen: 1,
		BitrateKbps: max(500, w*h*fps/10000), GOPFrames: 2 * fps})
	switch {
	case errors.Is(err, encode.ErrNoH264Encoder):
		return t.assembleMJPEG(ctx, pics, out, cfg.Width, cfg.Height)
	case err != nil:
		return 0, fmt.Errorf("timelapse: open H.264 encoder: %w", err)
	}
	defer enc.Close()
	return t.assembleH264(ctx, enc, pics, out, w, h)
}

// assembleH264 decodes each JPEG to I420 and encodes it.
func (t *Timelapse) assembleH264(ctx context.Context, enc encode.H264Encoder, pics []string, out string, w, h int) (int, error) {
	var mp4 *record.MP4File
	var werr error
	fps := t.opts.VideoFPS
	emit := func(f *media.Frame) {
		if werr != nil {
			return
		}
		if mp4 == nil {
			sps, pps := h264.ParamSets(f.NALUs)
			if sps == nil || pps == nil {
				werr = errors.New("timelapse: encoder's first frame has no SPS/PPS")
				return
			}
			mp4, werr = record.CreateMP4(out, &codecs.H264{SPS: sps, PPS: pps}, uint32(fps))
			if werr != nil {
				return
			}
		}
		werr = mp4.WriteH264(f.NALUs, 1, f.Key)
	}
	raw := media.NewRawFrame(w, h)
	n := 0
	for _, p := range pics {
		if ctx.Err() != nil {
			werr = ctx.Err()
			break
		}
		img, err := readJPEG(p)
		if err != nil || img.Bounds().Dx()&^1 != w || img.Bounds().Dy()&^1 != h {
			continue // unreadable or another size: left out
		}
		toI420(img, raw)
		raw.PTS = time.Duration(n) * time.Second / time.Duration(fps)
		raw.ID = uint64(n + 1)
		if err := enc.Encode(raw, emit); err != nil {
			werr = fmt.Errorf("timelapse: encode: %w", err)
			break
		}
		if werr != nil {
			break
		}
		n++
	}
	if mp4 == nil {
		if werr == nil {
			werr = errNoPictures
		}
		return 0, werr
	}
	if werr != nil {
		mp4.Abort()
		return 0, werr
	}
	if err := mp4.Close(); err != nil {
		mp4.Abort()
		return 0, err
	}
	return mp4.Samples(), nil
}

// assembleMJPEG stores the JPEGs as they are in an MJPEG track.
func (t *Timelapse) assembleMJPEG(ctx context.Context, pics []string, out string, w, h int) (int, error) {
	mp4, err := record.CreateMP4(out, &codecs.MJPEG{Width: w, Height: h}, uint32(t.opts.VideoFPS))
	if err != nil {
		return 0, err
	}
	for _, p := range pics {
		if ctx.Err() != nil {
			mp4.Abort()
			return 0, ctx.Err()
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width != w || cfg.Height != h {
			continue
		}
		if err := mp4.WriteSample(data, 1, true); err != nil {
			mp4.Abort()
			return 0, err
		}
	}
	if err := mp4.Close(); err != nil {
		mp4.Abort()
		return 0, err
	}
	return mp4.Samples(), nil
}

func readJPEG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jpeg.Decode(f)
}
