// Package exec is the source that runs a command and reads video from its standard output:
// YUV4MPEG2 (raw frames, freecam encodes them) or H.264 Annex B (access units relayed as they
// are, from rpicam-vid, a hardware encoder's tool or ffmpeg). The command is run directly, never
// through a shell.
package exec

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"time"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
	"github.com/freecam/freecam/internal/source/y4m"
)

var _ source.Source = (*Source)(nil)

const (
	stderrLines   = 20
	stderrLineMax = 300
	exitGrace     = 2 * time.Second // how long a process that closed stdout may take to exit
	readChunk     = 64 << 10
)

// Source runs a command and reads video from its stdout. Run detects the format from the first
// bytes: "YUV4MPEG2 " means raw frames (WriteRaw), a start code means H.264 (WriteEncoded).
type Source struct {
	argv []string
	log  *slog.Logger
}

// New checks and splits the command line (see SplitArgs). It starts nothing. log may be nil.
func New(command string, log *slog.Logger) (*Source, error) {
	argv, err := SplitArgs(command)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{argv: argv, log: log.With("component", "source/exec", "command", argv[0])}, nil
}

// Args returns the command's argv.
func (s *Source) Args() []string { return append([]string(nil), s.argv...) }

// Format is unknown before Run: the command's output decides (zero value).
func (s *Source) Format() media.VideoFormat { return media.VideoFormat{} }

// Run starts the command and relays its video until ctx is done, when it kills the command's
// process group, waits for it and returns nil. If the command exits, closes its output or writes
// something that is not video, Run returns an error with the exit status and the end of its
// stderr; the caller restarts it.
//
// Timestamps are the arrival time since the command started (strictly increasing); Time is the
// wall clock. Each frame is freshly allocated and handed over to the sink.
func (s *Source) Run(ctx context.Context, sink source.Sink) error {
	if ctx.Err() != nil {
		return nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("exec: stdout pipe: %w", err)
	}
	defer pr.Close()
	stderr := newTailLines(stderrLines, stderrLineMax)
	cmd := osexec.Command(s.argv[0], s.argv[1:]...)
	cmd.Stdout = pw
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second // stderr copying must not outlive the process by much
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		pw.Close()
		return fmt.Errorf("exec: start %q: %w", s.argv[0], err)
	}
	pw.Close()
	start := time.Now()
	s.log.Debug("started", "pid", cmd.Process.Pid)

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopKill := context.AfterFunc(ctx, func() {
		killProcessGroup(cmd)
		pr.Close() // unblocks a read even if something else still holds the pipe open
	})
	defer stopKill()

	readErr := s.read(pr, sink, start)

	if ctx.Err() != nil {
		killProcessGroup(cmd)
		<-exited
		return nil
	}
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-time.After(exitGrace):
		killProcessGroup(cmd)
		waitErr = <-exited
	}
	if ctx.Err() != nil {
		return nil
	}
	status := "exited with status 0"
	if waitErr != nil {
		status = waitErr.Error()
	}
	what := "closed its output"
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		what = readErr.Error()
	}
	return fmt.Errorf("exec: %q: %s (%s); stderr: %s", s.argv[0], what, status, stderrOrNone(stderr))
}

func stderrOrNone(t *tailLines) string {
	if s := t.String(); s != "" {
		return s
	}
	return "(empty)"
}

// read detects the stream format and relays frames until the output ends or is not video.
func (s *Source) read(r io.Reader, sink source.Sink, start time.Time) error {
	br := bufio.NewReaderSize(r, readChunk)
	head, err := br.Peek(len(y4m.Magic))
	switch {
	case bytes.Equal(head, []byte(y4m.Magic)):
		return s.readY4M(br, sink, start)
	case bytes.HasPrefix(head, []byte{0, 0, 1}) || bytes.HasPrefix(head, []byte{0, 0, 0, 1}):
		return s.readH264(br, sink, start)
	case len(head) == 0:
		return err
	}
	return fmt.Errorf("output starts with % x, want YUV4MPEG2 or H.264 Annex B", head)
}

// pacer makes arrival timestamps strictly increasing.
type pacer struct {
	start time.Time
	last  time.Duration
	first bool
}

func (p *pacer) next() (time.Duration, time.Time) {
	now := time.Now()
	pts := now.Sub(p.start)
	if p.first && pts <= p.last {
		pts = p.last + time.Microsecond
	}
	p.first, p.last = true, pts
	return pts, now
}

func (s *Source) readY4M(r io.Reader, sink source.Sink, start time.Time) error {
	yr, err := y4m.NewReader(r)
	if err != nil {
		return err
	}
	s.log.Debug("reading YUV4MPEG2", "format", yr.Format())
	p := pacer{start: start}
	for {
		f := &media.RawFrame{}
		if err := yr.ReadFrame(f); err != nil {
			return err
		}
		f.PTS, f.Time = p.next()
		sink.WriteRaw(f)
	}
}

func (s *Source) readH264(r io.Reader, sink source.Sink, start time.Time) error {
	s.log.Debug("reading H.264 Annex B")
	sp := h264.NewSplitter(0)
	p := pacer{start: start}
	emit := func(au h264.AccessUnit) {
		pts, now := p.next()
		sink.WriteEncoded(&media.Frame{Codec: media.CodecH264, PTS: pts, Time: now, Key: au.Key, NALUs: au.NALUs})
	}
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := sp.Write(buf[:n], emit); werr != nil {
				return werr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if ferr := sp.Flush(emit); ferr != nil {
					return ferr
				}
			}
			return err
		}
	}
}
