package buildinfo

import (
	"runtime"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/media"
)

func settings(kv ...string) []debug.BuildSetting {
	var s []debug.BuildSetting
	for i := 0; i+1 < len(kv); i += 2 {
		s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
	}
	return s
}

func TestFrom(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name  string
		bi    *debug.BuildInfo
		stamp Stamp
		want  Info // only the fields compared below
	}{
		{
			name: "no build info",
			want: Info{Version: "devel", Tags: []string{}},
		},
		{
			name: "development build from a clean tree",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Settings: settings(
				"vcs.revision", rev, "vcs.modified", "false", "vcs.time", "2026-11-26T17:00:00Z",
				"GOOS", "linux", "GOARCH", "mipsle", "GOMIPS", "softfloat", "CGO_ENABLED", "0")},
			want: Info{Version: "devel-0123456789ab", Commit: rev, CommitTime: "2026-11-26T17:00:00Z",
				GoVersion: "go1.26.8", OS: "linux", Arch: "mipsle", ArchVariant: "GOMIPS=softfloat", Tags: []string{}},
		},
		{
			name: "development build with uncommitted changes and tags",
			bi: &debug.BuildInfo{Settings: settings(
				"-tags", "extlib, noturbojpeg", "vcs.revision", rev, "vcs.modified", "true",
				"GOARCH", "arm", "GOARM", "7", "CGO_ENABLED", "1")},
			want: Info{Version: "devel-0123456789ab-dirty", Commit: rev, Modified: true, Arch: "arm",
				ArchVariant: "GOARM=7", CGO: true, Tags: []string{"extlib", "noturbojpeg"}},
		},
		{
			name:  "release stamp wins over the VCS stamp",
			bi:    &debug.BuildInfo{Settings: settings("vcs.revision", "ffff", "GOARCH", "amd64", "GOAMD64", "v1")},
			stamp: Stamp{Version: "1.2.3", Commit: rev, Date: "2026-11-26T18:00:00Z"},
			want: Info{Version: "1.2.3", Commit: rev, BuildDate: "2026-11-26T18:00:00Z", Arch: "amd64",
				ArchVariant: "GOAMD64=v1", Tags: []string{}},
		},
		{
			name:  "release stamp without a commit keeps the VCS one",
			bi:    &debug.BuildInfo{Settings: settings("vcs.revision", rev)},
			stamp: Stamp{Version: "1.2.4"},
			want:  Info{Version: "1.2.4", Commit: rev, Tags: []string{}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := From(tc.bi, tc.stamp)
			for _, c := range []struct{ field, got, want string }{
				{"Version", got.Version, tc.want.Version},
				{"Commit", got.Commit, tc.want.Commit},
				{"CommitTime", got.CommitTime, tc.want.CommitTime},
				{"BuildDate", got.BuildDate, tc.want.BuildDate},
				{"GoVersion", got.GoVersion, tc.want.GoVersion},
				{"OS", got.OS, tc.want.OS},
				{"Arch", got.Arch, tc.want.Arch},
				{"ArchVariant", got.ArchVariant, tc.want.ArchVariant},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %q, want %q", c.field, c.got, c.want)
				}
			}
			if got.Modified != tc.want.Modified || got.CGO != tc.want.CGO {
				t.Errorf("Modified, CGO: got %v, %v, want %v, %v", got.Modified, got.CGO, tc.want.Modified, tc.want.CGO)
			}
			if !slices.Equal(got.Tags, tc.want.Tags) || got.Tags == nil {
				t.Errorf("Tags: got %#v, want %#v", got.Tags, tc.want.Tags)
			}
		})
	}
}

// TestEncodersMatchWhatThisBuildCanDo checks the encoder facts against the encoders themselves:
// H264Encoder is set exactly when encode.NewH264 works, and names the system libx264 when the
// extlib tag is given.
func TestEncodersMatchWhatThisBuildCanDo(t *testing.T) {
	enc, err := encode.NewH264(encode.H264Options{Width: 64, Height: 64, FPSNum: 25, FPSDen: 1})
	canEncode := err == nil
	if canEncode {
		// A real encode, so "x264 is in" means pictures come out.
		var n int
		if err := enc.Encode(media.NewRawFrame(64, 64), func(*media.Frame) { n++ }); err != nil || n != 1 {
			t.Errorf("encode one picture: got %d access units, err %v, want 1 and nil", n, err)
		}
		enc.Close()
	}
	info := Get()
	if got := info.H264Encoder != ""; got != canEncode {
		t.Errorf("H264Encoder %q says encoder present = %v; NewH264 error is %v", info.H264Encoder, got, err)
	}
	if canEncode {
		if got := From(&debug.BuildInfo{Settings: settings("-tags", "extlib")}, Stamp{}).H264Encoder; got != "x264 (system libx264)" {
			t.Errorf("with -tags extlib: got H264Encoder %q, want \"x264 (system libx264)\"", got)
		}
		if got := From(nil, Stamp{}).H264Encoder; got != "x264 (bundled source)" {
			t.Errorf("without tags: got H264Encoder %q, want \"x264 (bundled source)\"", got)
		}
	}
	if want := map[string]string{"turbojpeg": "libjpeg-turbo", "image/jpeg": "image/jpeg"}[encode.JPEGBackend]; info.JPEGEncoder != want {
		t.Errorf("JPEGEncoder: got %q, want %q (encode.JPEGBackend %q)", info.JPEGEncoder, want, encode.JPEGBackend)
	}
	if info.OS != runtime.GOOS || info.Arch != runtime.GOARCH || info.GoVersion != runtime.Version() {
		t.Errorf("target: got %s/%s %s, want %s/%s %s", info.OS, info.Arch, info.GoVersion, runtime.GOOS, runtime.GOARCH, runtime.Version())
	}
}
