// Command motionbench runs freecam's motion detector (internal/motion) over a YUV4MPEG2 clip, as
// fast as it can, and prints what it costs and which events it found. bench/motion.sh runs it next
// to Debian's motion daemon on the same footage.
//
//	motionbench [flags] clip.y4m     (or - for standard input, e.g. ffmpeg ... -f yuv4mpegpipe -)
//
// Output is one "key value" line per figure, then one "event" line per event:
//
//	frames_read 1095
//	frames_processed 548
//	process_cpu_ms_per_frame 0.41   (CPU of the thread running Process, inside Process only)
//	process_wall_ms_per_frame 0.42  (monotonic time inside Process)
//	total_cpu_ms_per_frame 0.95     (whole program's CPU, Y4M reading included, / frames processed)
//	lighting_frames 3 first_at 10.000
//	event 1 start 20.100 end 31.500  (seconds of the clip; end "open" if the clip ended first)
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/motion"
	"github.com/freecam/freecam/internal/source/y4m"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "motionbench:", err)
		os.Exit(1)
	}
}

// options are the command line's settings.
type options struct {
	path        string
	fps         float64 // detection rate; 0 = every frame
	sensitivity int
	minFrames   int
	eventGap    time.Duration
	lightChange float64
	maxChanged  float64
	verbose     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("motionbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Float64Var(&o.fps, "fps", 0, "detection frame rate: frames are skipped to reach it (0 = every frame)")
	fs.IntVar(&o.sensitivity, "sensitivity", 2, "motion_sensitivity 0..4 (the firmware's default is 2)")
	fs.IntVar(&o.minFrames, "min-frames", 0, "consecutive motion frames before an event (0 = the detector's default)")
	fs.DurationVar(&o.eventGap, "event-gap", 5*time.Second, "quiet time that ends an event (5 s = the motion bench's event_gap)")
	fs.Float64Var(&o.lightChange, "light-change", 0, "share of the frame changing at once that means lighting (0 = default)")
	fs.Float64Var(&o.maxChanged, "max-changed", 0, "share of a region changing that means clouds/noise (0 = default)")
	fs.BoolVar(&o.verbose, "v", false, "print every frame with motion or lighting")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: motionbench [flags] clip.y4m|-")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return o, fmt.Errorf("want one clip, got %d arguments", fs.NArg())
	}
	o.path = fs.Arg(0)
	if o.fps < 0 {
		return o, fmt.Errorf("-fps %g: want 0 or more", o.fps)
	}
	return o, nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	in := stdin
	if o.path != "-" {
		f, err := os.Open(o.path)
		if err != nil {
			return fmt.Errorf("open clip: %w", err)
		}
		defer f.Close()
		in = f
	}
	rd, err := y4m.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %w (convert with: %s)", o.path, err, y4m.ConvertHint)
	}
	st, err := bench(rd, o, stdout)
	if err != nil {
		return err
	}
	st.print(stdout)
	return nil
}

// event is one MotionStart..MotionEnd span in clip time; end < 0 while open.
type event struct{ start, end time.Duration }

// stats is what one pass over the clip measured.
type stats struct {
	width, height   int
	srcFPS, detFPS  float64
	read, processed int
	processCPU      time.Duration // thread CPU inside Process
	processWall     time.Duration // monotonic time inside Process
	totalCPU        time.Duration // the whole program's CPU
	lighting        int
	firstLighting   time.Duration
	events          []event
}

// bench reads every frame, runs the detector on those the detection rate keeps and times it.
func bench(rd *y4m.Reader, o options, verbose io.Writer) (*stats, error) {
	hdr := rd.Header()
	st := &stats{width: hdr.Width, height: hdr.Height, srcFPS: 25, firstLighting: -1}
	if hdr.FPSNum > 0 && hdr.FPSDen > 0 {
		st.srcFPS = float64(hdr.FPSNum) / float64(hdr.FPSDen)
	}
	st.detFPS = st.srcFPS
	if o.fps > 0 && o.fps < st.srcFPS {
		st.detFPS = o.fps
	}
	det, err := motion.NewDetector(motion.Params{
		Width: hdr.Width, Height: hdr.Height,
		Sensitivity: o.sensitivity,
		MinFrames:   o.minFrames,
		EventGap:    o.eventGap,
		LightChange: o.lightChange,
		MaxChanged:  o.maxChanged,
	})
	if err != nil {
		return nil, fmt.Errorf("new detector: %w", err)
	}

	// Thread CPU is only meaningful if Process always runs on this OS thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := processCPU()

	frame := &media.RawFrame{}
	next := 0 // index of the next detection slot
	for i := 0; ; i++ {
		if err := rd.ReadFrame(frame); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("frame %d: %w", i, err)
		}
		st.read++
		// Keep frame i when it reaches the next slot of the detection clock.
		if float64(i)*st.detFPS/st.srcFPS < float64(next) {
			continue
		}
		next++
		t := time.Duration(float64(i) / st.srcFPS * float64(time.Second))

		c0, w0 := threadCPU(), time.Now()
		res := det.Process(frame.Y, frame.Width, frame.Height, t)
		st.processWall += time.Since(w0)
		st.processCPU += threadCPU() - c0
		st.processed++

		if res.Lighting {
			if st.lighting == 0 {
				st.firstLighting = t
			}
			st.lighting++
		}
		switch res.Event {
		case motion.Start:
			st.events = append(st.events, event{start: t, end: -1})
		case motion.End:
			if n := len(st.events); n > 0 && st.events[n-1].end < 0 {
				st.events[n-1].end = t
			}
		}
		if o.verbose && (res.Motion || res.Lighting || res.Event != motion.None) {
			fmt.Fprintf(verbose, "frame %.3f motion=%v lighting=%v score=%.4f box=%v event=%d\n",
				t.Seconds(), res.Motion, res.Lighting, res.Score, res.Box, res.Event)
		}
	}
	st.totalCPU = processCPU() - cpu0
	if st.processed == 0 {
		return nil, fmt.Errorf("%s: no frames", o.path)
	}
	return st, nil
}

func (st *stats) print(w io.Writer) {
	perFrame := func(d time.Duration) float64 {
		return float64(d) / float64(time.Millisecond) / float64(st.processed)
	}
	fmt.Fprintf(w, "size %dx%d\n", st.width, st.height)
	fmt.Fprintf(w, "source_fps %g\n", st.srcFPS)
	fmt.Fprintf(w, "detection_fps %g\n", st.detFPS)
	fmt.Fprintf(w, "frames_read %d\n", st.read)
	fmt.Fprintf(w, "frames_processed %d\n", st.processed)
	fmt.Fprintf(w, "process_cpu_ms_per_frame %.3f\n", perFrame(st.processCPU))
	fmt.Fprintf(w, "process_wall_ms_per_frame %.3f\n", perFrame(st.processWall))
	fmt.Fprintf(w, "total_cpu_ms_per_frame %.3f\n", perFrame(st.totalCPU))
	first := "-"
	if st.firstLighting >= 0 {
		first = fmt.Sprintf("%.3f", st.firstLighting.Seconds())
	}
	fmt.Fprintf(w, "lighting_frames %d first_at %s\n", st.lighting, first)
	var b strings.Builder
	for i, e := range st.events {
		end := "open"
		if e.end >= 0 {
			end = fmt.Sprintf("%.3f", e.end.Seconds())
		}
		fmt.Fprintf(&b, "event %d start %.3f end %s\n", i+1, e.start.Seconds(), end)
	}
	fmt.Fprintf(w, "events %d\n%s", len(st.events), b.String())
}
