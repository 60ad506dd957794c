package conf

import (
	"testing"
	"time"
)

func TestNotifyFilesDecode(t *testing.T) {
	var m Mail = DefaultMail()
	errs, _, _ := decodeFile(t, MailFile, "SERVER=mail.lan\nPORT=465\nAUTH=cam\nPASS=pw\nTO=\"a@x.org, b@x.org\"\nNUMBEROFPICTURES=2\nTIMEBETWEENSNAPSHOT=0.5\nQUALITY=-1\n", m.decode)
	if len(errs) > 0 || m.Server != "mail.lan" || m.Security != MailTLS || len(m.To) != 2 || m.Pictures != 2 || m.Interval != 500*time.Millisecond || m.Quality != -1 || m.Pass != "pw" {
		t.Errorf("sendmail.conf: got %+v, errors %v", m, errs)
	}
	errs, _, _ = decodeFile(t, MailFile, "QUALITY=0\nSECURITY=ssl\n", m.decode)
	if len(errs) != 2 {
		t.Errorf("bad QUALITY and SECURITY: got %v, want 2 errors", errs)
	}

	tg := Telegram{APIURL: "https://api.telegram.org"}
	errs, _, _ = decodeFile(t, TelegramFile, "apiToken=123:abc\nuserChatId=-100200\napi_url=http://127.0.0.1:9999/\n", tg.decode)
	if len(errs) > 0 || !tg.Configured() || tg.ChatID != "-100200" || tg.APIURL != "http://127.0.0.1:9999" {
		t.Errorf("telegram.conf: got %+v, errors %v", tg, errs)
	}
	if errs, _, _ = decodeFile(t, TelegramFile, "userChatId=me\n", tg.decode); len(errs) != 1 {
		t.Errorf("bad userChatId: got %v, want one error", errs)
	}

	mx := Matrix{Port: 8448}
	errs, _, _ = decodeFile(t, MatrixFile, "host=matrix.org\nroom_id=!r:matrix.org\naccess_token=tok\n", mx.decode)
	if len(errs) > 0 || mx.BaseURL != "https://matrix.org:8448" || !mx.Configured() {
		t.Errorf("matrix.conf: got %+v, errors %v", mx, errs)
	}
}

func TestMotionStorageAndRemotes(t *testing.T) {
	m, errs, _ := decodeMotion(t, "save_video=true\nsave_video_dir=/media/clips\ngroup_date_pattern=\"+%Y/%m\"\nfile_date_pattern=\"+%H%M%S\"\nvideo_duration=7\n"+
		"save_files_attr=0600\nsmb_video=true\nsmb_share='\\\\nas\\cam\\dafang'\nsmb_username=u\nsmb_password=p\ntelegram_alert_type=video+image\nmedia_min_free_percent=5\n")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	s := m.Storage
	if !s.SaveVideo || s.VideoDir != "/media/clips" || s.GroupPattern != "%Y/%m" || s.FilePattern != "%H%M%S" || s.VideoDuration != 7*time.Second || s.FileMode != 0o600 || s.MinFreePercent != 5 {
		t.Errorf("storage: got %+v", s)
	}
	if server, share, path, err := ParseShare(m.SMB.Host); err != nil || server != "nas" || share != "cam" || path != "dafang" || !m.SMB.Video {
		t.Errorf("smb: got %q %q %q (%v) from %q", server, share, path, err, m.SMB.Host)
	}
	if !m.TelegramAlert.Video() || !m.TelegramAlert.Image() {
		t.Errorf("telegram alert %q: want video and image", m.TelegramAlert)
	}
	for _, bad := range []string{"group_date_pattern=\"+../%Y\"\n", "file_date_pattern=\"+%Y/%m\"\n", "save_dirs_attr=rwx\n", "smb_video=true\nsmb_share=nas\n", "matrix_alert_type=gif\n", "video_max_duration=5\n"} {
		if _, errs, _ := decodeMotion(t, bad); len(errs) != 1 {
			t.Errorf("%q: got errors %v, want one", bad, errs)
		}
	}
	if got := DefaultMotion().VideoDir("/data"); got != "/data/Motion/Videos" {
		t.Errorf("default video dir on a PC: got %q", got)
	}
}
