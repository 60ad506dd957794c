package conf

import (
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Storage is where motion.conf puts snapshots and clips, and how long it keeps them.
type Storage struct {
	SaveSnapshot    bool          // save_snapshot
	SnapshotDir     string        // save_snapshot_dir (the firmware's /system/sdcard/DCIM/Motion/Stills)
	MaxSnapshotDays int           // max_snapshot_days; 0 keeps them
	SaveVideo       bool          // save_video
	VideoDir        string        // save_video_dir
	MaxVideoDays    int           // max_video_days; 0 keeps them
	GroupPattern    string        // group_date_pattern without the leading +: strftime, may hold /
	FilePattern     string        // file_date_pattern without the +
	VideoDuration   time.Duration // video_duration: clip length after the trigger; default 10 s
	FileMode        fs.FileMode   // save_files_attr; default 0644
	DirMode         fs.FileMode   // save_dirs_attr; default 0755

	// freecam's additions.
	PostRoll       time.Duration // video_post_roll: a clip goes on this long after motion ends; default 2 s
	MaxClip        time.Duration // video_max_duration: no clip is longer; default 60 s
	MinFreePercent int           // media_min_free_percent: delete the oldest media while less is free; default 10
	MinFreeMB      int           // media_min_free_mb; default 0 (off)
	MaxSizeMB      int           // media_max_size_mb: total of pictures and clips; default 0 (no limit)
	DeliveryMaxAge time.Duration // delivery_max_age_hours: an undelivered item older than this is dropped; default 72 h
}

// Remote is one upload target of motion.conf (ftp_*, smb_*, dropbox_*).
type Remote struct {
	Snapshot  bool   // <t>_snapshot: upload pictures
	Video     bool   // <t>_video: upload clips
	Host      string // ftp_host; smb_share (//server/share[/path]); dropbox_url
	Port      int    // ftp_port (default 21)
	User      string // ftp_username / smb_username
	Password  Secret // ftp_password / smb_password / dropbox_token
	StillsDir string // ftp_stills_dir / smb_stills_path / dropbox_stills_dir
	VideosDir string // ftp_videos_dir / smb_videos_path / dropbox_videos_dir
	TLS       bool   // ftp_tls (freecam): explicit TLS (AUTH TLS)
}

// Enabled reports whether anything goes to this target.
func (r Remote) Enabled() bool { return r.Snapshot || r.Video }

// AlertType is telegram_alert_type / matrix_alert_type.
type AlertType string

// Alert types: what a chat message on motion carries.
const (
	AlertText       AlertType = "text"
	AlertImage      AlertType = "image"
	AlertVideo      AlertType = "video"
	AlertVideoImage AlertType = "video+image"
)

// Image and Video report what an alert type sends.
func (a AlertType) Image() bool { return a == AlertImage || a == AlertVideoImage }

// Video reports whether the alert type sends the clip.
func (a AlertType) Video() bool { return a == AlertVideo || a == AlertVideoImage }

func (m *Motion) decodeActions(r *reader) {
	s := &m.Storage
	r.bool(&s.SaveSnapshot, "save_snapshot")
	r.bool(&s.SaveVideo, "save_video")
	absDir(r, &s.SnapshotDir, "save_snapshot_dir")
	absDir(r, &s.VideoDir, "save_video_dir")
	r.int(&s.MaxSnapshotDays, "max_snapshot_days", 0, 100000, "days")
	r.int(&s.MaxVideoDays, "max_video_days", 0, 100000, "days")
	s.GroupPattern = datePattern(r, "group_date_pattern", s.GroupPattern, true)
	s.FilePattern = datePattern(r, "file_date_pattern", s.FilePattern, false)
	r.seconds(&s.VideoDuration, "video_duration", false, 3600)
	fileMode(r, &s.FileMode, "save_files_attr")
	fileMode(r, &s.DirMode, "save_dirs_attr")
	r.seconds(&s.PostRoll, "video_post_roll", true, 600)
	r.seconds(&s.MaxClip, "video_max_duration", false, 3600)
	r.int(&s.MinFreePercent, "media_min_free_percent", 0, 99, "%")
	r.int(&s.MinFreeMB, "media_min_free_mb", 0, 1<<30, "MB")
	r.int(&s.MaxSizeMB, "media_max_size_mb", 0, 1<<30, "MB")
	var hours float64 = s.DeliveryMaxAge.Hours()
	if v, line, ok := r.str("delivery_max_age_hours"); ok {
		h, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || h <= 0 || h > 24*365 {
			r.fail(line, "delivery_max_age_hours", "must be a number of hours from more than 0 to 8760 (got %q)", v)
		} else {
			hours = h
		}
	}
	s.DeliveryMaxAge = time.Duration(hours * float64(time.Hour))
	if s.MaxClip < s.VideoDuration {
		_, line, _ := r.str("video_max_duration")
		r.fail(line, "video_max_duration", "must be at least video_duration (%g s)", s.VideoDuration.Seconds())
	}

	r.ignore("video_use_rtsp", "video_rtsp_w", "video_rtsp_h", "video_rtsp_f") // clips come from the stream
	m.TelegramAlert = alertType(r, "telegram_alert_type", m.TelegramAlert)
	m.MatrixAlert = alertType(r, "matrix_alert_type", m.MatrixAlert)

	remote(r, &m.FTP, "ftp", "ftp_host", "ftp_username", "ftp_password", "ftp_stills_dir", "ftp_videos_dir")
	r.int(&m.FTP.Port, "ftp_port", 1, 65535, "")
	r.bool(&m.FTP.TLS, "ftp_tls")
	remote(r, &m.SMB, "smb", "smb_share", "smb_username", "smb_password", "smb_stills_path", "smb_videos_path")
	if m.SMB.Enabled() {
		if _, _, _, err := ParseShare(m.SMB.Host); err != nil {
			_, line, _ := r.str("smb_share")
			r.fail(line, "smb_share", "%v", err)
		}
	}
	remote(r, &m.Dropbox, "dropbox", "dropbox_url", "", "dropbox_token", "dropbox_stills_dir", "dropbox_videos_dir")
	if m.Dropbox.Enabled() {
		if u, err := url.Parse(m.Dropbox.Host); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			_, line, _ := r.str("dropbox_url")
			r.fail(line, "dropbox_url", "must be an http(s) URL (got %q)", m.Dropbox.Host)
		}
	}
}

// remote reads one target's keys; names left empty are not read.
func remote(r *reader, dst *Remote, prefix, host, user, pass, stills, videos string) {
	r.bool(&dst.Snapshot, prefix+"_snapshot")
	r.bool(&dst.Video, prefix+"_video")
	for _, kv := range []struct {
		key string
		dst *string
	}{{host, &dst.Host}, {user, &dst.User}, {stills, &dst.StillsDir}, {videos, &dst.VideosDir}} {
		if kv.key == "" {
			continue
		}
		if v, _, ok := r.str(kv.key); ok {
			*kv.dst = v
		}
	}
	if v, _, ok := r.str(pass); ok {
		dst.Password = Secret(v)
	}
}

// ParseShare splits smb_share, //server/share[/path] (backslashes allowed, as Windows writes it).
func ParseShare(s string) (server, share, path string, err error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), `\`, "/")
	if !strings.HasPrefix(t, "//") {
		return "", "", "", fmt.Errorf("must be //server/share or //server/share/path (got %q)", s)
	}
	parts := strings.SplitN(strings.TrimPrefix(t, "//"), "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("must be //server/share or //server/share/path (got %q)", s)
	}
	if len(parts) == 3 {
		path = strings.Trim(parts[2], "/")
	}
	return parts[0], parts[1], path, nil
}

// datePattern reads a date(1) pattern ("+%Y-%m-%d/%H"): the + is dropped. A group pattern may
// hold / (sub directories); neither may climb out with "..".
func datePattern(r *reader, key, def string, slashOK bool) string {
	v, line, ok := r.str(key)
	if !ok {
		return def
	}
	p := strings.TrimPrefix(strings.TrimSpace(v), "+")
	bad := p == "" || strings.Contains(p, "..") || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\x00\n")
	if !slashOK && strings.Contains(p, "/") {
		bad = true
	}
	if bad {
		r.fail(line, key, "must be a date pattern such as +%%Y-%%m-%%d_%%H-%%M-%%S (got %q)", v)
		return def
	}
	return p
}

// absDir reads a media directory: an absolute path, as the firmware's were (a relative one would
// depend on where freecam was started from).
func absDir(r *reader, dst *string, key string) {
	v, line, ok := r.str(key)
	if !ok {
		return
	}
	if !filepath.IsAbs(v) || strings.ContainsRune(v, 0) {
		r.fail(line, key, "must be an absolute path such as /system/sdcard/DCIM/Motion/Stills (got %q)", v)
		return
	}
	*dst = filepath.Clean(v)
}

// fileMode reads an octal mode such as "0644".
func fileMode(r *reader, dst *fs.FileMode, key string) {
	v, line, ok := r.str(key)
	if !ok {
		return
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
	if err != nil || n > 0o777 {
		r.fail(line, key, "must be an octal mode such as 0644 (got %q)", v)
		return
	}
	*dst = fs.FileMode(n)
}

func alertType(r *reader, key string, def AlertType) AlertType {
	v, line, ok := r.str(key)
	if !ok {
		return def
	}
	switch a := AlertType(strings.ToLower(strings.TrimSpace(v))); a {
	case AlertText, AlertImage, AlertVideo, AlertVideoImage:
		return a
	}
	r.fail(line, key, "must be text, image, video or video+image (got %q)", v)
	return def
}
