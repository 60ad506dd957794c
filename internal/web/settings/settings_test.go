package settings

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/conf"
)

// confDir returns a config directory made the way freecam's first start makes it.
func confDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := conf.EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func field(t *testing.T, page, name string) (Section, Field) {
	t.Helper()
	for _, s := range Page(page) {
		for _, f := range s.Fields {
			if f.Name() == name {
				return s, f
			}
		}
	}
	t.Fatalf("page %s has no field %s", page, name)
	return Section{}, Field{}
}

func read(t *testing.T, dir, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

// shValue sources file with sh and prints $key, as the firmware's scripts would read it.
func shValue(t *testing.T, path, key string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `. "$1"; eval 'printf %s "$'"$2"'"'`, "sh", path, key).Output()
	if err != nil {
		t.Fatalf("sh . %s: %v", path, err)
	}
	return string(out)
}

func TestPagesAreWellFormed(t *testing.T) {
	seen := map[string]string{}
	for _, p := range Pages() {
		secs := Page(p)
		if len(secs) == 0 {
			t.Errorf("Page(%q): got no sections", p)
		}
		for _, s := range secs {
			for _, f := range s.Fields {
				if other, dup := seen[f.Name()]; dup {
					t.Errorf("%s is on page %s and %s", f.Name(), other, p)
				}
				seen[f.Name()] = p
				if f.Kind == KindBool && len(f.Options) != 2 {
					t.Errorf("%s: bool with %d spellings, want 2", f.Name(), len(f.Options))
				}
				if f.Kind == KindSelect && len(f.Options) == 0 {
					t.Errorf("%s: select without options", f.Name())
				}
				if s.Later != "" && f.Later == "" {
					t.Errorf("%s: in a later section but not marked later", f.Name())
				}
			}
		}
	}
	if Page("nope") != nil {
		t.Errorf("Page(nope): got sections, want nil")
	}
}

// Every field of a file freecam loads must be a key freecam knows (a typo would come back as an
// "unknown key" warning) and its default must load.
func TestFieldsAreKnownKeys(t *testing.T) {
	loaded := map[string]bool{}
	cfg, _, err := conf.Load(confDir(t))
	if err != nil {
		t.Fatal(err)
	}
	for name := range cfg.Docs {
		loaded[name] = true
	}
	for _, s := range All() {
		for _, f := range s.Fields {
			if !loaded[f.File] || f.Key == WidthKey || f.Key == HeightKey {
				continue
			}
			t.Run(f.Name(), func(t *testing.T) {
				dir := confDir(t)
				v := Values(dir, []Section{{Fields: []Field{f}}})[f.Name()]
				if f.IsSecret() {
					v = "x"
				}
				warns, err := conf.Apply(dir, conf.Edits{f.File: {f.Key: v}})
				if err != nil {
					t.Fatalf("writing the current value %q: %v", v, err)
				}
				for _, w := range warns {
					if w.Key == f.Key && strings.Contains(w.Message, "unknown key") {
						t.Errorf("got warning %v, want %s to be a known key", w, f.Key)
					}
				}
			})
		}
	}
}

func TestHostileValueIsQuoted(t *testing.T) {
	const hostile = `x"; reboot; "`
	tests := []struct {
		page, name, key string
	}{
		{"camera", "osd.conf/OSD", "OSD"},
		{"camera", "rtspserver.conf/USERPASSWORD", "USERPASSWORD"},
		{"notifications", "mqtt.conf/HOST", "HOST"}, // a file that does not exist yet
		{"storage", "motion.conf/ftp_host", "ftp_host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := confDir(t)
			s, f := field(t, tt.page, tt.name)
			fe, err := Save(dir, []Section{s}, map[string]string{f.Name(): hostile, SectionMarker(s): "1"})
			if err != nil || len(fe) > 0 {
				t.Fatalf("Save: got %v, %v, want no error", fe, err)
			}
			if got := shValue(t, filepath.Join(dir, f.File), tt.key); got != hostile {
				t.Errorf("sh reads %s as %q, want %q", tt.key, got, hostile)
			}
		})
	}
}

func TestRefusedValueWritesNothing(t *testing.T) {
	tests := []struct {
		name    string
		page    string
		form    map[string]string
		field   string // the field the message must be filed under
		message string // part of the message
	}{
		{"not a number", "motion",
			map[string]string{"motion.conf/motion_min_frames": "many", "motion.conf/motion_fps": "7"},
			"motion.conf/motion_min_frames", "whole number"},
		{"out of range", "motion",
			map[string]string{"motion.conf/motion_fps": "500", "motion.conf/motion_min_frames": "3"},
			"motion.conf/motion_fps", "from 1 to 60"},
		{"not an option", "motion",
			map[string]string{"motion.conf/motion_sensitivity": "9"},
			"motion.conf/motion_sensitivity", "one of"},
		{"refused by the configuration", "camera",
			map[string]string{"rtspserver.conf/MULTICASTDEST": "10.0.0.1:5000", "rtspserver.conf/BITRATE": "800"},
			"rtspserver.conf/MULTICASTDEST", "not a multicast address"},
		{"odd width", "camera",
			map[string]string{"rtspserver.conf/" + WidthKey: "641", "rtspserver.conf/BITRATE": "800"},
			"rtspserver.conf/" + WidthKey, "even"},
		{"regions", "motion",
			map[string]string{"motion.conf/region_of_interest": "10,10,5,5", "motion.conf/motion_fps": "7"},
			"motion.conf/region_of_interest", "x1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := confDir(t)
			before := map[string][]byte{}
			for _, f := range []string{"motion.conf", "rtspserver.conf"} {
				before[f] = read(t, dir, f)
			}
			fe, err := Save(dir, Page(tt.page), tt.form)
			if err != nil {
				t.Fatal(err)
			}
			if msg := fe[tt.field]; !strings.Contains(msg, tt.message) {
				t.Errorf("message for %s: got %q (all: %v), want one containing %q", tt.field, msg, fe, tt.message)
			}
			for f, b := range before {
				if got := read(t, dir, f); !bytes.Equal(got, b) {
					t.Errorf("%s changed although the save was refused:\n%s", f, got)
				}
			}
		})
	}
}

func TestSecretsAreNeverRead(t *testing.T) {
	dir := confDir(t)
	const pw = "Sekr1t-Value-42"
	if _, err := conf.Apply(dir, conf.Edits{
		"rtspserver.conf": {"USERNAME": "cam", "USERPASSWORD": pw},
		"motion.conf":     {"ftp_password": pw, "smb_password": pw, "dropbox_token": pw},
		"mqtt.conf":       {"PASS": pw},
	}); err != nil {
		t.Fatal(err)
	}
	vals := Values(dir, All())
	for k, v := range vals {
		if strings.Contains(v, pw) {
			t.Errorf("Values[%s] = %q: a secret came back", k, v)
		}
	}
	set := SetMap(dir, All())
	for _, name := range []string{"rtspserver.conf/USERPASSWORD", "mqtt.conf/PASS", "motion.conf/ftp_password"} {
		if !set[name] {
			t.Errorf("SetMap[%s]: got false, want true", name)
		}
	}
	if set["telegram.conf/apiToken"] {
		t.Errorf("SetMap[telegram.conf/apiToken]: got true for a missing file, want false")
	}
	if vals["rtspserver.conf/USERNAME"] != "cam" {
		t.Errorf("USERNAME: got %q, want cam", vals["rtspserver.conf/USERNAME"])
	}
}

func TestSecretEmptyKeepsClearEmpties(t *testing.T) {
	dir := confDir(t)
	path := filepath.Join(dir, "rtspserver.conf")
	s, f := field(t, "camera", "rtspserver.conf/USERPASSWORD")
	if fe, err := Save(dir, []Section{s}, map[string]string{f.Name(): "first", "rtspserver.conf/USERNAME": "u"}); err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if fe, err := Save(dir, []Section{s}, map[string]string{f.Name(): "", "rtspserver.conf/PORT": "8555"}); err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if got := shValue(t, path, "USERPASSWORD"); got != "first" {
		t.Errorf("after an empty submit: got %q, want the old password kept", got)
	}
	if got := shValue(t, path, "PORT"); got != "8555" {
		t.Errorf("PORT: got %q, want 8555", got)
	}
	if fe, err := Save(dir, []Section{s}, map[string]string{f.Name(): "", f.ClearName(): "on"}); err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if got := shValue(t, path, "USERPASSWORD"); got != "" {
		t.Errorf("after clear: got %q, want empty", got)
	}
}

func TestBoolsFromCheckboxes(t *testing.T) {
	dir := confDir(t)
	motion := Page("motion")
	detection := motion[0]
	// The detection section is submitted (its marker), motion_detection unchecked: off. The
	// "On motion" section is not submitted, so its motion_trigger_led stays on.
	fe, err := Save(dir, motion, map[string]string{SectionMarker(detection): "1", "motion.conf/motion_tracking": "on"})
	if err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	path := filepath.Join(dir, "motion.conf")
	for key, want := range map[string]string{"motion_detection": "off", "motion_tracking": "on", "motion_trigger_led": "true", "debug_msg_enable": "false"} {
		if got := shValue(t, path, key); got != want {
			t.Errorf("%s: got %q, want %q", key, got, want)
		}
	}
	_, flip := field(t, "camera", "rtspserver.conf/FLIP")
	fe, err = Save(dir, Page("camera"), map[string]string{flip.Name(): "true", SectionMarker(Page("camera")[0]): "1"})
	if err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if got := shValue(t, filepath.Join(dir, "rtspserver.conf"), "FLIP"); got != "ON" {
		t.Errorf("FLIP: got %q, want the firmware's spelling ON", got)
	}
}

func TestPictureSizeKeepsOtherOptions(t *testing.T) {
	tests := []struct {
		name, opts, w, h, want string
	}{
		{"default", "-W1280 -H720", "640", "", "-W640 -H720"},
		{"other options kept", "-U a:b -W 1280 -H720 -x", "1920", "1080", "-W1920 -H1080 -U a:b -x"},
		{"no size yet", "", "", "480", "-W1280 -H480"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := confDir(t)
			if _, err := conf.Apply(dir, conf.Edits{"rtspserver.conf": {"RTSPOPTS": tt.opts}}); err != nil {
				t.Fatal(err)
			}
			form := map[string]string{}
			if tt.w != "" {
				form["rtspserver.conf/"+WidthKey] = tt.w
			}
			if tt.h != "" {
				form["rtspserver.conf/"+HeightKey] = tt.h
			}
			fe, err := Save(dir, Page("camera"), form)
			if err != nil || fe != nil {
				t.Fatalf("Save: %v %v", fe, err)
			}
			if got := shValue(t, filepath.Join(dir, "rtspserver.conf"), "RTSPOPTS"); got != tt.want {
				t.Errorf("RTSPOPTS: got %q, want %q", got, tt.want)
			}
			vals := Values(dir, Page("camera"))
			w, h := pictureSize(tt.want)
			if vals["rtspserver.conf/"+WidthKey] != w || vals["rtspserver.conf/"+HeightKey] != h {
				t.Errorf("Values: got %sx%s, want %sx%s", vals["rtspserver.conf/"+WidthKey], vals["rtspserver.conf/"+HeightKey], w, h)
			}
		})
	}
}

func TestUnchangedValuesAreNotRewritten(t *testing.T) {
	dir := confDir(t)
	before := read(t, dir, "motion.conf")
	form := Values(dir, Page("motion"))
	for _, s := range Page("motion") {
		form[SectionMarker(s)] = "1"
	}
	for k, v := range form { // checkboxes send their value only when checked
		for _, s := range Page("motion") {
			for _, f := range s.Fields {
				if f.Name() == k && f.Kind == KindBool && !f.On(v) {
					delete(form, k)
				}
			}
		}
	}
	fe, err := Save(dir, Page("motion"), form)
	if err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if got := read(t, dir, "motion.conf"); !bytes.Equal(got, before) {
		t.Errorf("submitting the current values changed motion.conf")
	}
}

func TestUnknownFormKeysAreIgnored(t *testing.T) {
	dir := confDir(t)
	fe, err := Save(dir, Page("motion"), map[string]string{"motion.conf/evil_key": "1", "freecam.conf/SOURCE": "exec:/bin/sh"})
	if err != nil || fe != nil {
		t.Fatalf("Save: %v %v", fe, err)
	}
	if b := read(t, dir, "freecam.conf"); strings.Contains(string(b), "/bin/sh") {
		t.Errorf("a key that is not a field of the page was written")
	}
	if b := read(t, dir, "motion.conf"); strings.Contains(string(b), "evil_key") {
		t.Errorf("a key that is not a field was written")
	}
}
