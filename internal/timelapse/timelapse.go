package timelapse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/snapshot"
	"github.com/freecam/freecam/internal/storage"
)

// Snapshotter gives the latest picture as a JPEG; *snapshot.Cache is one.
type Snapshotter interface {
	Get(ctx context.Context, req snapshot.Request) (*snapshot.Image, error)
}

// Options configures a Timelapse. Dir is required; the zero value of the rest is the firmware's
// default.
type Options struct {
	// Dir is timelapse.conf's DCIM_PATH (conf.Timelapse.Dir).
	Dir string
	// Interval is TIMELAPSE_INTERVAL. Default 2 s.
	Interval time.Duration
	// Duration is TIMELAPSE_DURATION: Run returns after this long. 0 means until ctx ends.
	Duration time.Duration
	// FlatDir is SAVE_DIR_PER_DAY=0: pictures go straight into Dir instead of DIR/YYYY-MM-DD/HH.
	FlatDir bool
	// Quality is COMPRESSION_QUALITY, the JPEG quality 1–100. 0 means 100.
	Quality int
	// MaxDays is TIMELAPSE_MAX_DAYS: pictures and videos older than this many days are deleted
	// at start and after each day's video. 0 keeps everything.
	MaxDays int
	// VideoFPS is the frame rate of the day video. 0 means 25.
	VideoFPS int
	// NewH264 opens the encoder of the day video. Nil means encode.NewH264; when it returns
	// encode.ErrNoH264Encoder the video is MJPEG.
	NewH264 func(encode.H264Options) (encode.H264Encoder, error)
	// Clock is the time source. Nil means the real clock.
	Clock Clock
	// Location is the time zone of day and file names. Nil means time.Local.
	Location *time.Location
	// Logger receives failures (once per streak) and one line per day video. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Stats are a Timelapse's counters.
type Stats struct {
	Pictures uint64 // pictures saved
	Failures uint64 // pictures missed (no frame yet, write error)
	Videos   uint64 // day videos assembled
}

// Timelapse takes the pictures and assembles the day videos. Run it once; Stats is safe from any
// goroutine.
type Timelapse struct {
	snap Snapshotter
	opts Options
	log  *slog.Logger
	ret  *storage.Retention

	mu    sync.Mutex
	stats Stats
}

// New returns a Timelapse taking pictures from snap. It starts nothing.
func New(snap Snapshotter, opts Options) *Timelapse {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	if opts.Quality <= 0 || opts.Quality > 100 {
		opts.Quality = 100
	}
	if opts.VideoFPS <= 0 {
		opts.VideoFPS = 25
	}
	if opts.NewH264 == nil {
		opts.NewH264 = encode.NewH264
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	t := &Timelapse{snap: snap, opts: opts, log: opts.Logger}
	t.ret = storage.NewRetention(storage.RetentionOptions{
		Root:     opts.Dir,
		Patterns: []string{PicturePattern, VideoPattern},
		MaxAge:   time.Duration(opts.MaxDays) * 24 * time.Hour,
		Now:      opts.Clock.Now,
		Logger:   opts.Logger,
	})
	return t
}

// Patterns of the files a Timelapse writes, for storage.RetentionOptions.Patterns.
const (
	PicturePattern = "????-??-??_??-??-??_*.jpg"
	VideoPattern   = "????-??-??.mp4"
)

// Stats returns the counters.
func (t *Timelapse) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

func (t *Timelapse) count(f func(*Stats)) {
	t.mu.Lock()
	f(&t.stats)
	t.mu.Unlock()
}

// Retention is the retention of the timelapse directory (for an on-demand sweep).
func (t *Timelapse) Retention() *storage.Retention { return t.ret }

// PicturePath is where the n-th picture (from 1) taken at tm goes: like the firmware,
// dir/YYYY-MM-DD/HH/YYYY-MM-DD_HH-MM-SS_NNN.jpg, or dir/YYYY-MM-DD_HH-MM-SS_NNN.jpg when flat.
func PicturePath(dir string, tm time.Time, n int, flat bool) string {
	name := fmt.Sprintf("%s_%03d.jpg", tm.Format("2006-01-02_15-04-05"), n)
	if flat {
		return filepath.Join(dir, name)
	}
	return filepath.Join(dir, tm.Format("2006-01-02"), tm.Format("15"), name)
}

// VideoPath is where the video of day ("YYYY-MM-DD") goes: dir/YYYY-MM-DD/YYYY-MM-DD.mp4, or
// dir/YYYY-MM-DD.mp4 when flat.
func VideoPath(dir, day string, flat bool) string {
	if flat {
		return filepath.Join(dir, day+".mp4")
	}
	return filepath.Join(dir, day, day+".mp4")
}

// Run takes a picture every Interval until ctx ends (it returns ctx.Err()) or Duration has passed
// (it returns nil). At start it applies the retention and assembles the videos of past days that
// have none; after midnight it assembles the day that ended, in the background. Run waits for an
// assembly in progress before it returns.
func (t *Timelapse) Run(ctx context.Context) error {
	if t.opts.Dir == "" {
		return errors.New("timelapse: no directory")
	}
	if err := os.MkdirAll(t.opts.Dir, 0o755); err != nil {
		return fmt.Errorf("timelapse: create %s: %w", t.opts.Dir, err)
	}
	clock := t.opts.Clock
	start := clock.Now()
	today := start.In(t.opts.Location).Format(time.DateOnly)

	days := make(chan string, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t.assembler(ctx, days)
	}()
	defer wg.Wait()
	defer close(days)
	for _, d := range t.pendingDays(today) {
		select {
		case days <- d:
		default: // more than 16 days behind: the rest waits for the next start
		}
	}

	n := 0 // pictures today, for NNN
	failing := false
	for shot := 0; ; shot++ {
		now := clock.Now()
		if t.opts.Duration > 0 && now.Sub(start) >= t.opts.Duration {
			return nil
		}
		local := now.In(t.opts.Location)
		if day := local.Format(time.DateOnly); day != today {
			select {
			case days <- today:
			default:
			}
			today, n = day, 0
		}
		n++
		if err := t.take(ctx, local, n); err != nil {
			n--
			t.count(func(s *Stats) { s.Failures++ })
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !failing {
				t.log.Warn("timelapse picture failed", "err", err)
			}
			failing = true
		} else {
			if failing {
				t.log.Info("timelapse pictures work again")
			}
			failing = false
			t.count(func(s *Stats) { s.Pictures++ })
		}
		// The next picture is due at start + k·Interval; a slow one skips slots, never drifts.
		k := int64(clock.Now().Sub(start)/t.opts.Interval) + 1
		wait := start.Add(time.Duration(k) * t.opts.Interval).Sub(clock.Now())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(wait):
		}
	}
}

// take saves one picture as the n-th of its day. The file appears complete or not at all.
func (t *Timelapse) take(ctx context.Context, tm time.Time, n int) error {
	img, err := t.snap.Get(ctx, snapshot.Request{Quality: t.opts.Quality})
	if err != nil {
		return fmt.Errorf("timelapse: snapshot: %w", err)
	}
	path := PicturePath(t.opts.Dir, tm, n, t.opts.FlatDir)
	err = writeFile(path, img.JPEG)
	if errors.Is(err, syscall.ENOSPC) {
		if res, _ := t.ret.Sweep(ctx); res.Deleted > 0 {
			err = writeFile(path, img.JPEG)
		}
	}
	return err
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("timelapse: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("timelapse: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("timelapse: %w", err)
	}
	return nil
}

// assembler sweeps the retention, then builds the video of each day it is sent, until days is
// closed or ctx ends.
func (t *Timelapse) assembler(ctx context.Context, days <-chan string) {
	if _, err := t.ret.Sweep(ctx); err != nil && ctx.Err() == nil {
		t.log.Warn("timelapse retention failed", "err", err)
	}
	for day := range days {
		if ctx.Err() != nil {
			continue // drain; Run is returning
		}
		if _, err := os.Stat(VideoPath(t.opts.Dir, day, t.opts.FlatDir)); err == nil {
			continue
		}
		frames, err := t.assemble(ctx, day)
		switch {
		case errors.Is(err, errNoPictures):
		case err != nil:
			t.log.Warn("timelapse video failed", "day", day, "err", err)
		default:
			t.count(func(s *Stats) { s.Videos++ })
			t.log.Info("timelapse video assembled", "day", day, "frames", frames,
				"path", VideoPath(t.opts.Dir, day, t.opts.FlatDir))
		}
		if _, err := t.ret.Sweep(ctx); err != nil && ctx.Err() == nil {
			t.log.Warn("timelapse retention failed", "err", err)
		}
	}
}
