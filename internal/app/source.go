package app

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/source"
	execsource "github.com/freecam/freecam/internal/source/exec"
	"github.com/freecam/freecam/internal/source/synthetic"
	"github.com/freecam/freecam/internal/source/v4l2"
	"github.com/freecam/freecam/internal/source/y4m"
)

// openSource builds the source a spec names. The spec is freecam.conf SOURCE or --source:
//
//	synthetic            the built-in test scene, at rtspserver.conf's size and frame rate
//	y4m:PATH             a YUV4MPEG2 file, looped
//	exec:COMMAND         a command (no shell) writing Y4M or H.264 Annex B to stdout
//	v4l2:/dev/videoN     a V4L2 camera (Linux)
func openSource(cfg *conf.Config, log *slog.Logger) (source.Source, error) {
	spec := strings.TrimSpace(cfg.Freecam.Source)
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "", "synthetic":
		return synthetic.New(synthetic.Options{
			Width: cfg.RTSP.Width, Height: cfg.RTSP.Height,
			FPSNum: cfg.RTSP.FramerateNum, FPSDen: cfg.RTSP.FramerateDen,
		}), nil
	case "y4m":
		if arg == "" {
			return nil, fmt.Errorf("source %q: y4m needs a file: y4m:/path/to/file.y4m", spec)
		}
		return y4m.New(arg, y4m.Options{}), nil
	case "exec":
		src, err := execsource.New(arg, log)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", spec, err)
		}
		return src, nil
	case "v4l2":
		if arg == "" {
			return nil, fmt.Errorf("source %q: v4l2 needs a device: v4l2:/dev/video0", spec)
		}
		return v4l2.New(arg, v4l2.Options{
			Width: cfg.RTSP.Width, Height: cfg.RTSP.Height,
			FPSNum: cfg.RTSP.FramerateNum, FPSDen: cfg.RTSP.FramerateDen,
		}, log), nil
	}
	return nil, fmt.Errorf("source %q: unknown kind %q; want synthetic, y4m:PATH, exec:COMMAND or v4l2:/dev/videoN", spec, kind)
}

// knownRaw reports whether a source spec always delivers raw pictures (so it needs an encoder).
func knownRaw(spec string) bool {
	kind, _, _ := strings.Cut(strings.TrimSpace(spec), ":")
	return kind == "" || kind == "synthetic" || kind == "y4m"
}
