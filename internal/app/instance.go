package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/night"
	"github.com/freecam/freecam/internal/osd"
	"github.com/freecam/freecam/internal/pipeline"
	"github.com/freecam/freecam/internal/rtsp"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/snapshot"
	"github.com/freecam/freecam/internal/source/synthetic"
	"github.com/freecam/freecam/internal/stream"
)

// instance is the set of parts built from one configuration. A reload builds a new one.
type instance struct {
	cfg        *conf.Config
	hub        *stream.Hub
	pipe       *pipeline.Pipeline
	osd        *osd.Renderer
	mailbox    *snapshot.Mailbox
	snapshots  *snapshot.Cache
	rtsp       atomic.Pointer[rtsp.Server] // nil while the rtsp service is stopped
	services   *service.Manager
	night      *night.Controller
	motion     *motionDetection
	actionsRun atomic.Pointer[actionsRun] // what motion.conf asks for on motion, and the delivery queues
	log        *slog.Logger
	supervisor *sourceSupervisor
	started    []component
	stopFn     func(ctx context.Context) error
}

// startInstance builds every part from cfg and starts them in order: the encoder and HTTP first,
// then the source, then the services (RTSP, motion, night, recording …) from their autostart
// files. A core part that fails (the HTTP port in use) rolls the start back; a service that
// fails is only marked Failed with its error, and the rest of the camera runs.
func (a *App) startInstance(ctx context.Context, cfg *conf.Config, running []string) (*instance, error) {
	log := a.log
	inst := &instance{cfg: cfg, log: log}

	src, err := openSource(cfg, log.With("component", "source"))
	if err != nil {
		return nil, &ConfigError{Problems: []string{err.Error()}}
	}
	codec := media.CodecH264
	if cfg.RTSP.Codec == conf.CodecMJPG {
		codec = media.CodecMJPEG
	}
	newEncoder, encErr := encoderFactory(cfg, codec)
	if encErr != nil {
		if srcFmt := src.Format(); srcFmt.Encoded == 0 && knownRaw(cfg.Freecam.Source) {
			return nil, fmt.Errorf("source %q delivers raw pictures, but %w", cfg.Freecam.Source, encErr)
		}
		log.Warn("no software H.264 encoder in this build: only sources that deliver H.264 can stream", "err", encErr)
	}

	fps := media.VideoFormat{FPSNum: cfg.RTSP.FramerateNum, FPSDen: cfg.RTSP.FramerateDen}
	var pipe *pipeline.Pipeline
	inst.hub = stream.New(stream.Options{
		Preroll:         cfg.Freecam.Preroll,
		KeyframeWait:    max(fps.FrameInterval()*3, 200*time.Millisecond),
		RequestKeyframe: func() { pipe.RequestKeyframe() },
	})
	inst.osd = osd.New(osdOptions(cfg))
	inst.mailbox = &snapshot.Mailbox{}
	inst.snapshots = snapshot.New(inst.mailbox, snapshot.Options{
		Quality: cfg.Freecam.SnapshotQuality,
		NoFrameReason: func() string {
			if st := pipe.Stats(); st.RawFrames == 0 && st.EncodedFrames > 0 {
				return "no snapshots from this source: it delivers only H.264, and snapshots are made from raw pictures (freecam has no H.264 decoder yet); use a raw source (synthetic, y4m:, exec: writing yuv4mpegpipe, v4l2 YUYV or MJPEG)"
			}
			return ""
		},
	})
	pipe = pipeline.New(pipeline.Options{
		NewEncoder: newEncoder,
		Overlay:    inst.osd,
		Snapshots:  inst.mailbox,
		Publish:    inst.hub.Publish,
		EncodeTime: a.encodeTime,
		Logger:     log.With("component", "pipeline"),
	})
	inst.pipe = pipe
	var sceneLight []component
	if scene, ok := src.(*synthetic.Source); ok {
		a.hw.scene.Store(scene)
		if st := a.hw.board.Device.State(); st.HasIRCut {
			scene.SetNight(!st.IRCutDay) // keep the look across a reload
		}
		sceneLight = append(sceneLight, goroutine("scene light", a.hw.followLight(scene), log))
	} else {
		a.hw.scene.Store(nil)
	}
	inst.motion = &motionDetection{
		cfg:     cfg.Motion,
		width:   cfg.RTSP.Width,
		height:  cfg.RTSP.Height,
		frames:  inst.mailbox,
		bus:     &a.bus,
		marker:  inst.osd,
		motor:   a.hw.board.Device.Motor,
		origin:  &a.hw.origin,
		markerC: osd.Color(max(cfg.Motion.IndicatorColor, 0)),
		log:     log.With("component", "motion"),
	}
	var prevNight *night.Controller
	if a.cur != nil {
		prevNight = a.cur.night
	}
	inst.night, err = a.hw.nightController(cfg, inst.mailbox, &a.bus, prevNight, log.With("component", "night"))
	if err != nil {
		return nil, &ConfigError{Problems: []string{"autonight.conf: " + err.Error()}}
	}
	inst.supervisor = &sourceSupervisor{
		src:       src,
		sink:      pipe,
		lastFrame: pipe.LastFrame,
		watchdog:  cfg.Freecam.Watchdog,
		log:       log.With("component", "source"),
	}

	rtspOpts := rtsp.Options{
		Hub:           inst.hub,
		Codec:         codec,
		Address:       fmt.Sprintf(":%d", cfg.RTSP.Port),
		UDPRTPPort:    cfg.Freecam.RTSPUDPPort,
		UDPRTCPPort:   cfg.Freecam.RTSPUDPPort + 1,
		DisableUDP:    cfg.Freecam.RTSPUDPPort == 0,
		MulticastDest: multicastDest(cfg),
		Username:      cfg.RTSP.Username,
		Password:      string(cfg.RTSP.Password),
		// freecam's accounts work for RTSP too (Basic: they have no stored Digest secret). The
		// hook has no client address, so the throttle key is per user.
		Authenticate: a.rtspAuthenticate(cfg),
		Logger:       log,
	}
	if _, err := rtsp.New(rtspOpts); err != nil { // validate now: a bad value is a config error
		return nil, &ConfigError{Problems: []string{err.Error()}}
	}
	inst.services = service.NewManager(service.ManagerOptions{
		ConfigDir:   a.opts.ConfigDir,
		OnUnlessOff: a.onUnlessOff(),
		Bus:         &a.bus,
		Log:         log.With("component", "service"),
	})
	a.onvif.setConfig(cfg)
	for _, s := range []service.Service{
		appServiceProxy{a.system}, // first: the network before the rest
		rtspService(rtspOpts, &inst.rtsp),
		appServiceProxy{a.mqtt},
		motionService(inst.motion),
		autoNightService(inst.night, log.With("component", "night")),
		recordingService(cfg, a.opts.DataDir, inst.hub, log.With("component", "recording")),
		timelapseService(cfg, a.opts.DataDir, inst.snapshots, log.With("component", "timelapse")),
		a.telegramBotService(log.With("component", "telegram-bot")),
		a.onvifService(log.With("component", "onvif")),
		appServiceProxy{a.mdns}, // last: it announces what the others opened
	} {
		if err := inst.services.Register(s); err != nil {
			return nil, err
		}
	}

	comps := []component{
		goroutine("encoder", pipe.Run, log),
		goroutine("source", inst.supervisor.run, log),
	}
	comps = append(comps, sceneLight...)
	comps = append(comps, component{name: "motion actions",
		start: func(context.Context) error { return a.startActions(inst, cfg) }, stop: inst.stopActions})
	comps = append(comps, []component{
		{name: "snapshot cache", start: func(context.Context) error { return nil },
			stop: func(context.Context) error { return inst.snapshots.Close() }},
		{name: "services", start: func(ctx context.Context) error { return inst.startServices(ctx, running) },
			stop: inst.services.StopAll},
	}...)
	started, err := startAll(ctx, log, comps)
	if err != nil {
		return nil, err
	}
	inst.started = started
	return inst, nil
}

func (inst *instance) stop(ctx context.Context) error {
	return stopAll(ctx, inst.log, inst.started)
}

func (inst *instance) rtspAddr() string {
	if srv := inst.rtsp.Load(); srv != nil {
		if a := srv.Addr(); a != nil {
			return a.String()
		}
	}
	return ""
}

func (inst *instance) rtspURL() string {
	_, port, err := net.SplitHostPort(inst.rtspAddr())
	if err != nil {
		return "" // the rtsp service is not running
	}
	return "rtsp://localhost:" + port + "/unicast"
}
