package conf

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyWritesValidEditsAndRefusesInvalidOnes(t *testing.T) {
	dir := t.TempDir()
	if _, err := EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, MotionFile)
	if _, err := Apply(dir, Edits{MotionFile: {"motion_sensitivity": "4", "region_of_interest": "10,20,300,200"}}); err != nil {
		t.Fatalf("valid edit refused: %v", err)
	}
	cfg, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Motion.Sensitivity != 4 || len(cfg.Motion.Regions) != 1 {
		t.Errorf("got sensitivity %d and regions %v after the edit, want 4 and one region", cfg.Motion.Sensitivity, cfg.Motion.Regions)
	}

	before, _ := os.ReadFile(path)
	_, err = Apply(dir, Edits{MotionFile: {"motion_sensitivity": "loud", "motion_fps": "5"}})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != "motion_sensitivity" || errs[0].File != MotionFile {
		t.Fatalf("got %v for a bad sensitivity, want one error naming motion.conf and motion_sensitivity", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("a refused edit changed motion.conf")
	}
	if _, err := Apply(dir, Edits{"../etc/passwd.conf": {"A": "b"}}); err == nil {
		t.Errorf("an edit outside the config dir was accepted")
	}
}

// A value with shell syntax in it is written so that sh assigns it literally.
func TestApplyQuotesHostileValues(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	hostile := `x"; reboot; "` + "`id`$(id)'\\"
	if _, err := Apply(dir, Edits{MotionFile: {"ftp_password": hostile}}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sh, "-c", `. "$1" && printf %s "$ftp_password"`, "sh", filepath.Join(dir, MotionFile)).Output()
	if err != nil {
		t.Fatalf("sourcing motion.conf: %v", err)
	}
	if string(out) != hostile {
		t.Errorf("sh read %q, want %q", out, hostile)
	}
	if !strings.Contains(string(mustRead(t, filepath.Join(dir, MotionFile))), "motion_sensitivity") {
		t.Errorf("a new file did not start from motion.conf.dist")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What one file cannot show: a motion rectangle outside the picture rtspserver.conf sets, and a
// media directory that depends on where freecam was started.
func TestApplyRefusesRectanglesOutsideThePictureAndRelativeDirs(t *testing.T) {
	dir := t.TempDir()
	if _, err := EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	for key, value := range map[string]string{"region_of_interest": "0,0,5000,5000", "save_video_dir": "../../tmp/evil"} {
		_, err := Apply(dir, Edits{MotionFile: {key: value}})
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != key {
			t.Errorf("%s=%s: got %v, want one error naming %s", key, value, err, key)
		}
	}
	if _, err := Apply(dir, Edits{MotionFile: {"region_of_interest": "0,0,1280,720"}}); err != nil {
		t.Errorf("the whole 1280x720 picture refused: %v", err)
	}
}
