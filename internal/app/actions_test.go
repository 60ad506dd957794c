package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/deliver/servertest"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/testutil"
)

// probeClip returns a clip's duration and whether its first frame is a keyframe, from ffprobe.
func probeClip(t *testing.T, path string) (time.Duration, bool) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("ffprobe duration %q: %v", out, err)
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
		"-show_entries", "frame=key_frame", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames %s: %v", path, err)
	}
	return time.Duration(secs * float64(time.Second)), strings.HasPrefix(strings.TrimSpace(string(out)), "1")
}

// The whole camera with motion actions on and a real smbd that is down during five motion
// events: every picture and clip is saved locally with pre-roll, and all of them reach the
// share once it is back, none twice.
func TestMotionActionsSaveLocallyAndSurviveANASOutage(t *testing.T) {
	testutil.Need(t, "ffprobe")
	nas := servertest.StartSMB(t, "cam", "nas-secret")
	dir := writeConfig(t, map[string]string{
		"freecam.conf": "PREROLL_SECONDS=2\n",
		"motion.conf": fmt.Sprintf("motion_detection=off\nmotion_trigger_led=true\nsave_snapshot=true\nsave_video=true\n"+
			"video_duration=1\nvideo_post_roll=0\nsmb_snapshot=true\nsmb_video=true\nsmb_share=//%s/%s/dafang\n"+
			"smb_username=%s\nsmb_password=nas-secret\nsmb_stills_path=stills\nsmb_videos_path=videos\n",
			nas.Addr, nas.Share, nas.User),
	})
	data := t.TempDir()
	r := startApp(t, dir, Options{DataDir: data})
	// The pre-roll needs a few seconds of stream.
	testutil.WaitWithin(t, 20*time.Second, "3 s of stream", func() bool {
		inst, _ := r.app.current()
		return inst != nil && len(inst.hub.Preroll()) > 0 && inst.pipe.Stats().EncodedFrames > 75
	})

	nas.Stop()
	var triggers []time.Time
	for range 5 {
		at := time.Now()
		triggers = append(triggers, at)
		r.app.bus.Publish(event.Event{Kind: event.MotionStart, Time: at, Cause: "test"})
		time.Sleep(300 * time.Millisecond)
		r.app.bus.Publish(event.Event{Kind: event.MotionEnd, Time: time.Now(), Cause: "test"})
		// One clip at a time, as the firmware: let this one finish (1 s after the trigger).
		_, clipPath := r.app.cur.actionsRun.Load().acts.Paths(at)
		testutil.WaitWithin(t, 20*time.Second, "clip "+clipPath, func() bool { _, err := os.Stat(clipPath); return err == nil })
	}

	for _, at := range triggers {
		snap, clipPath := r.app.cur.actionsRun.Load().acts.Paths(at)
		if _, err := os.Stat(snap); err != nil {
			t.Errorf("no local picture for the event at %s: %v", at.Format("15:04:05.000"), err)
		}
		d, key := probeClip(t, clipPath)
		if !key {
			t.Errorf("%s does not start with a keyframe", clipPath)
		}
		// 1 s after the trigger plus a pre-roll of 2 s (whole GOPs of 1 s: 2 to 3 s).
		if d < 2500*time.Millisecond || d > 4500*time.Millisecond {
			t.Errorf("%s lasts %v, want about 1 s after the trigger plus 2–3 s of pre-roll", filepath.Base(clipPath), d)
		}
	}
	if st := r.app.cur.actionsRun.Load().set.Status(); len(st) != 1 || st[0].Queued != 10 {
		t.Errorf("with the NAS down: got queues %+v, want 10 items waiting for smb", st)
	}

	nas.Start()
	testutil.WaitWithin(t, 60*time.Second, "every item on the share", func() bool {
		st := r.app.cur.actionsRun.Load().set.Status()
		return len(st) == 1 && st[0].Delivered == 10 && st[0].Queued == 0
	})
	for _, kind := range []string{"stills", "videos"} {
		var files []string
		filepath.Walk(filepath.Join(nas.Dir(), "dafang", kind), func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		if len(files) != 5 {
			t.Errorf("got %d files in %s on the share, want 5: %v", len(files), kind, files)
		}
	}
	if st := r.app.cur.actionsRun.Load().set.Status(); st[0].Dropped != 0 {
		t.Errorf("got %d items dropped, want none", st[0].Dropped)
	}
	if strings.Contains(r.logs.String(), "nas-secret") {
		t.Errorf("the NAS password appears in the log")
	}
}

// A motion setting or an upload target changed (from the UI, MQTT or action.cgi) is applied
// without restarting the video: RTSP viewers and recordings carry on.
func TestMotionSettingsApplyWithoutRestartingTheVideo(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := writeConfig(t, map[string]string{"motion.conf": "motion_detection=on\nmotion_sensitivity=2\n"})
	r := startApp(t, dir, Options{})
	before := r.app.cur
	// A viewer that reads 6 s of video while the settings change under it.
	viewer := make(chan error, 1)
	go func() {
		out, err := runPeer(t, 40*time.Second, "ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", r.rtspURL(t), "-t", "6", "-f", "null", "-")
		if err == nil && strings.TrimSpace(out) != "" {
			err = fmt.Errorf("ffmpeg: %s", out)
		}
		viewer <- err
	}()
	time.Sleep(2 * time.Second) // the viewer is playing
	appendConf(t, dir, "motion.conf", "motion_sensitivity=4\npublish_mqtt_snapshot=true\nsave_snapshot=true\nsend_email=true\n")
	if err := r.app.Reload(); err != nil {
		t.Fatal(err)
	}
	if r.app.cur != before {
		t.Errorf("the reload restarted the video parts for a motion setting")
	}
	if got := r.app.cur.motion.cfg.Sensitivity; got != 4 {
		t.Errorf("motion detection runs with sensitivity %d, want the new 4", got)
	}
	testutil.WaitWithin(t, 10*time.Second, "the motion service running again", func() bool {
		info := serviceInfo(r.app, "motion")
		return info != nil && info.State == "running"
	})
	if err := <-viewer; err != nil {
		t.Errorf("the RTSP viewer was cut by the reload: %v", err)
	}
}
