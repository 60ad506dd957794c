package settings

import "strconv"

// Files of the firmware that freecam does not load yet but whose settings the pages edit.
const (
	MQTTFile     = "mqtt.conf"
	MailFile     = "sendmail.conf"
	TelegramFile = "telegram.conf"
	MatrixFile   = "matrix.conf"
)

// The picture size lives inside rtspserver.conf's RTSPOPTS as "-W1280 -H720". These pseudo keys
// edit those two tokens and keep RTSPOPTS's other tokens (they are not shell names, so they can
// never collide with a real key).
const (
	WidthKey  = "RTSPOPTS-W"
	HeightKey = "RTSPOPTS-H"
)

// Pages lists the page names Page knows.
func Pages() []string { return []string{"camera", "motion", "notifications", "storage", "system"} }

// Page returns the sections of a settings page: "camera", "motion", "notifications", "storage"
// or "system"; nil for another name. The result is a fresh copy the caller may change.
func Page(name string) []Section {
	switch name {
	case "camera":
		return cameraPage()
	case "motion":
		return motionPage()
	case "notifications":
		return notificationsPage()
	case "storage":
		return storagePage()
	case "system":
		return systemPage()
	}
	return nil
}

// All returns the sections of every page.
func All() []Section {
	var all []Section
	for _, p := range Pages() {
		all = append(all, Page(p)...)
	}
	return all
}

// Field constructors, to keep the tables below readable.

func text(file, key, label, help string) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindText}
}

func number(file, key, label, help string, lo, hi float64) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindNumber, Min: lo, Max: hi}
}

func decimal(file, key, label, help string, lo, hi float64) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindDecimal, Min: lo, Max: hi}
}

func secret(file, key, label, help string) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindSecret, Secret: true}
}

func regions(file, key, label, help string) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindRegions}
}

// boolean is a switch spelled on/off in the file as on and off say.
func boolean(file, key, label, help, on, off string) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindBool,
		Options: []Option{{Value: on, Label: "on"}, {Value: off, Label: "off"}}}
}

func choice(file, key, label, help string, opts ...Option) Field {
	return Field{File: file, Key: key, Label: label, Help: help, Kind: KindSelect, Options: opts}
}

func colours(withNone bool) []Option {
	var opts []Option
	if withNone {
		opts = append(opts, Option{"-1", "none"})
	}
	for i, n := range []string{"white", "black", "red", "green", "blue", "cyan", "yellow", "purple"} {
		opts = append(opts, Option{strconv.Itoa(i), n})
	}
	return opts
}

func cameraPage() []Section {
	const rtsp, osd, night, tl = "rtspserver.conf", "osd.conf", "autonight.conf", "timelapse.conf"
	return []Section{
		{Title: "Video", Fields: []Field{
			choice(rtsp, "CODEC", "Codec", "H.264 for NVRs and Home Assistant; MJPEG for very old clients.",
				Option{"H264", "H.264"}, Option{"MJPG", "MJPEG"}),
			number(rtsp, WidthKey, "Width", "Picture width in pixels, an even number (default 1280).", 64, 3840),
			number(rtsp, HeightKey, "Height", "Picture height in pixels, an even number (default 720).", 64, 2160),
			number(rtsp, "FRAMERATE_NUM", "Frames per second", "Frame rate (with FRAMERATE_DEN, default 1: frames per second).", 1, 120),
			number(rtsp, "BITRATE", "Bit rate (kbit/s)", "Video bit rate in kbit/s (default 5000).", 1, 100000),
			choice(rtsp, "VIDEOFORMAT", "Rate control", "How the encoder spends the bit rate.",
				Option{"0", "FixedQp"}, Option{"1", "CBR"}, Option{"2", "VBR"}, Option{"3", "SMART"}),
			boolean(rtsp, "FLIP", "Rotate 180°", "For a camera mounted upside down.", "ON", "OFF"),
		}},
		{Title: "RTSP server", Fields: []Field{
			number(rtsp, "PORT", "Port", "TCP port of the RTSP server (default 8554).", 1, 65535),
			text(rtsp, "USERNAME", "RTSP-only user", "An extra account for RTSP only; the web accounts work for RTSP too. Empty: none."),
			secret(rtsp, "USERPASSWORD", "RTSP-only password", ""),
			text(rtsp, "MULTICASTDEST", "Multicast destination", "ip:port such as 239.1.2.3:23912; empty turns multicast off."),
		}},
		{Title: "On-screen display", Fields: []Field{
			boolean(osd, "ENABLE_OSD", "Show the text", "", "true", "false"),
			text(osd, "OSD", "Text", "strftime pattern: %H hour, %M minute, %S second, %d day, %m month, %Y year."),
			boolean(osd, "DISPLAY_AXIS", "Show motor position", "", "true", "false"),
			text(osd, "COLOR", "Colour", "0 white, 1 black, 2 red, 3 green, 4 blue, 5 cyan, 6 yellow, 7 purple, or RRGGBBAA hex such as 0xFF8000FF."),
			number(osd, "SIZE", "Text height (pixels)", "1 to 256, default 12.", 1, 256),
			number(osd, "SPACE", "Letter spacing (pixels)", "0 to 64, default 0.", 0, 64),
			number(osd, "POSY", "Top (pixels)", "Distance of the text from the top, default 0.", 0, 4096),
			boolean(osd, "FIXEDW", "Fixed width", "Every character as wide as the widest (built-in font).", "true", "false"),
			text(osd, "FONTNAME", "Font", "A .ttf file name in the fonts directory; empty: the built-in font."),
		}},
		{Title: "Night mode", Fields: []Field{
			choice(night, "autonight_mode", "Light from", "Where auto night reads the light level.",
				Option{"virtual", "picture brightness"}, Option{"hw", "light sensor"},
				Option{"sim", "simulated sensor"}, Option{"off", "off (switch by hand)"}),
			boolean(night, "ir_led_off", "Keep the IR LED off", "At night, for a camera behind a window.", "true", "false"),
			decimal(night, "night_at", "Night at level", "Empty: the mode's default (40).", 0, 0),
			decimal(night, "day_at", "Day at level", "Empty: the mode's default (45, virtual 55).", 0, 0),
			decimal(night, "leave_night_at", "Leave night at level", "Empty: calibrated (virtual) or the day level.", 0, 0),
			decimal(night, "sample_interval", "Seconds between samples", "Default 10.", 0, 3600),
			number(night, "window", "Samples averaged", "Default 5.", 1, 100),
			decimal(night, "confirm", "Confirm (seconds)", "How long a level must last before a switch; default 120.", 0, 86400),
			decimal(night, "min_dwell", "Minimum dwell (seconds)", "Shortest time between two switches; default 60.", 0, 86400),
			text(night, "hw_parameters", "Firmware hw options", "The firmware's autonight options, for existing configs."),
			text(night, "sw_parameters", "Firmware sw options", "The firmware's autonight options, for existing configs."),
		}},
		{Title: "Timelapse", Fields: []Field{
			decimal(tl, "TIMELAPSE_INTERVAL", "Interval (seconds)", "Time between pictures.", 0, 86400),
			decimal(tl, "TIMELAPSE_DURATION", "Duration (minutes)", "0: unlimited.", 0, 0),
			text(tl, "DCIM_PATH", "Directory", "Where the pictures go."),
			boolean(tl, "SAVE_DIR_PER_DAY", "A directory per day", "", "1", "0"),
			number(tl, "COMPRESSION_QUALITY", "JPEG quality", "1 to 100.", 1, 100),
			number(tl, "TIMELAPSE_MAX_DAYS", "Keep (days)", "0 keeps them.", 0, 100000),
			number(tl, "TIMELAPSE_VIDEO_FPS", "Video frame rate", "Of the video assembled each day.", 1, 120),
		}},
	}
}

func motionPage() []Section {
	const m = "motion.conf"
	return []Section{
		{Title: "Detection", Fields: []Field{
			boolean(m, "motion_detection", "Motion detection", "", "on", "off"),
			choice(m, "motion_sensitivity", "Sensitivity", "",
				Option{"-1", "off"}, Option{"0", "very low"}, Option{"1", "low"}, Option{"2", "medium"},
				Option{"3", "high"}, Option{"4", "very high"}),
			regions(m, "region_of_interest", "Regions of interest", "Drag on the picture to draw up to 52 rectangles; none watches the whole picture."),
			regions(m, "motion_exclude", "Excluded areas", "Rectangles x0,y0,x1,y1 in stream pixels never watched, separated by commas. Empty: none."),
			choice(m, "motion_indicator_color", "Marker colour", "The OSD dot shown while motion lasts.", colours(true)...),
			boolean(m, "motion_tracking", "Follow motion with the motor", "", "on", "off"),
			decimal(m, "motion_timeout", "Return after (seconds)", "With tracking: go back this long after the last motion; -1 never.", -1, 86400),
			decimal(m, "night_mode_event_delay", "Quiet after day/night switch (seconds)", "", 0, 86400),
			boolean(m, "debug_msg_enable", "Log every result (debug)", "", "true", "false"),
		}},
		{Title: "Tuning", Fields: []Field{
			number(m, "motion_min_frames", "Pictures in a row", "How many pictures must show motion before an event starts.", 1, 1000),
			decimal(m, "motion_event_gap", "Event gap (seconds)", "Seconds without motion that end an event.", 0, 3600),
			decimal(m, "motion_light_change", "Light change share", "Share of the picture (0–1) changing at once that is a light switched, not motion.", 0, 1),
			decimal(m, "motion_max_changed", "Noise share", "Share of a region (0–1) changing at once that is clouds, rain or a camera move.", 0, 1),
			number(m, "motion_fps", "Pictures per second examined", "", 1, 60),
		}},
		{Title: "On motion", Fields: []Field{
			boolean(m, "motion_trigger_led", "Yellow LED while motion lasts", "", "true", "false"),
		}},
	}
}

func alertTypes() []Option {
	return []Option{{"text", "text"}, {"image", "image"}, {"video", "video"}, {"video+image", "video and image"}}
}

func notificationsPage() []Section {
	const m = "motion.conf"
	return []Section{
		{Title: "On motion, over MQTT", Fields: []Field{
			boolean(m, "publish_mqtt_message", "MQTT message", "ON/OFF on <topic>/motion. freecam sends it whatever this says: Home Assistant's motion sensor reads it.", "true", "false"),
			boolean(m, "publish_mqtt_snapshot", "MQTT snapshot", "The picture on <topic>/motion/snapshot/image when motion starts.", "true", "false"),
		}},
		{Title: "On motion", Fields: []Field{
			boolean(m, "publish_mqtt_video", "MQTT video", "The clip on <topic>/motion/video.", "true", "false"),
			boolean(m, "send_email", "E-mail", "", "true", "false"),
			boolean(m, "send_telegram", "Telegram", "", "true", "false"),
			choice(m, "telegram_alert_type", "Telegram sends", "", alertTypes()...),
			boolean(m, "send_matrix", "Matrix", "", "true", "false"),
			choice(m, "matrix_alert_type", "Matrix sends", "", alertTypes()...),
		}},
		{Title: "MQTT", Fields: []Field{
			text(MQTTFile, "HOST", "Broker host", ""),
			number(MQTTFile, "PORT", "Broker port", "Default 1883.", 1, 65535),
			text(MQTTFile, "USER", "User", ""),
			secret(MQTTFile, "PASS", "Password", ""),
			text(MQTTFile, "LOCATION", "Location", "Topic is location/device name."),
			text(MQTTFile, "DEVICE_NAME", "Device name", ""),
			text(MQTTFile, "AUTODISCOVERY_PREFIX", "Home Assistant discovery prefix", "Such as homeassistant; empty: no discovery. Start the mqtt service on the Services page."),
			number(MQTTFile, "STATUSINTERVAL", "Status interval (seconds)", "At least 30.", 30, 86400),
			choice(MQTTFile, "LIGHT_SENSOR", "Brightness topic", "",
				Option{"false", "off"}, Option{"hw", "light sensor"}, Option{"virtual", "picture brightness"}),
			text(MQTTFile, "MOSQUITTOOPTS", "Extra client options", "The firmware's mosquitto options, for existing configs."),
			text(MQTTFile, "MOSQUITTOPUBOPTS", "Extra publish options", "Such as -r."),
		}},
		{Title: "E-mail", Fields: []Field{
			text(MailFile, "SERVER", "SMTP server", "Such as smtp.example.com."),
			number(MailFile, "PORT", "SMTP port", "587 for STARTTLS.", 1, 65535),
			text(MailFile, "AUTH", "User", ""),
			secret(MailFile, "PASS", "Password", ""),
			text(MailFile, "FROM", "From address", ""),
			text(MailFile, "FROMNAME", "From name", ""),
			text(MailFile, "TO", "To address", ""),
			text(MailFile, "SUBJECT", "Subject", ""),
			text(MailFile, "BODY", "Text", ""),
			number(MailFile, "NUMBEROFPICTURES", "Pictures", "", 0, 100),
			decimal(MailFile, "TIMEBETWEENSNAPSHOT", "Seconds between pictures", "", 0, 3600),
			number(MailFile, "QUALITY", "JPEG quality", "-1: none.", -1, 100),
		}},
		{Title: "Telegram", Fields: []Field{
			secret(TelegramFile, "apiToken", "Bot token", ""),
			text(TelegramFile, "userChatId", "Chat id", "Only this chat is served."),
		}},
		{Title: "Matrix", Fields: []Field{
			text(MatrixFile, "host", "Homeserver", ""),
			number(MatrixFile, "port", "Port", "Default 8448.", 1, 65535),
			text(MatrixFile, "room_id", "Room id", ""),
			text(MatrixFile, "sender", "Sender", ""),
			secret(MatrixFile, "access_token", "Access token", ""),
		}},
	}
}

func storagePage() []Section {
	const m, rec = "motion.conf", "recording.conf"
	return []Section{
		{Title: "Continuous recording", Fields: []Field{
			decimal(rec, "SEGMENT_SECONDS", "Segment length (seconds)", "Each MP4 file's length.", 1, 86400),
			number(rec, "MAX_DAYS", "Keep (days)", "0 keeps them.", 0, 100000),
			number(rec, "MAX_SIZE_MB", "At most (MB)", "0: no limit.", 0, 1<<30),
			number(rec, "MIN_FREE_PERCENT", "Keep free (%)", "Delete the oldest while the card has less free space; 0 off.", 0, 99),
			number(rec, "MIN_FREE_MB", "Keep free (MB)", "0 off.", 0, 1<<30),
		}},
		{Title: "Motion pictures and clips", Fields: []Field{
			boolean(m, "save_snapshot", "Save pictures", "The picture at the start of each motion event.", "true", "false"),
			text(m, "save_snapshot_dir", "Picture directory", ""),
			number(m, "max_snapshot_days", "Keep pictures (days)", "0 keeps them.", 0, 100000),
			boolean(m, "save_video", "Save clips", "A clip of each motion event, starting a few seconds before it (freecam.conf PREROLL_SECONDS).", "true", "false"),
			text(m, "save_video_dir", "Clip directory", ""),
			number(m, "max_video_days", "Keep clips (days)", "0 keeps them.", 0, 100000),
			decimal(m, "video_duration", "Clip length after the motion starts (seconds)", "", 1, 3600),
			decimal(m, "video_post_roll", "Clip goes on after the motion ends (seconds)", "", 0, 600),
			decimal(m, "video_max_duration", "Longest clip (seconds)", "", 1, 3600),
			text(m, "group_date_pattern", "Directory date pattern", "date(1) pattern such as +%Y-%m-%d/%H."),
			text(m, "file_date_pattern", "File date pattern", "Such as +%Y-%m-%d_%H-%M-%S."),
			text(m, "save_files_attr", "File mode", "Such as 0644."),
			text(m, "save_dirs_attr", "Directory mode", "Such as 0755."),
			number(m, "media_min_free_percent", "Keep free (%)", "The oldest pictures and clips go while the card has less free space; 0 off.", 0, 99),
			number(m, "media_min_free_mb", "Keep free (MB)", "0 off.", 0, 1<<30),
			number(m, "media_max_size_mb", "Pictures and clips at most (MB)", "0: no limit.", 0, 1<<30),
			decimal(m, "delivery_max_age_hours", "Give up an upload after (hours)", "Uploads and alerts wait on the card while a target is down, up to this long.", 0.01, 8760),
		}},
		{Title: "FTP", Fields: []Field{
			boolean(m, "ftp_snapshot", "Upload pictures", "", "true", "false"),
			boolean(m, "ftp_video", "Upload clips", "", "true", "false"),
			text(m, "ftp_host", "Server", ""),
			number(m, "ftp_port", "Port", "", 1, 65535),
			text(m, "ftp_username", "User", ""),
			secret(m, "ftp_password", "Password", ""),
			text(m, "ftp_stills_dir", "Picture directory", ""),
			text(m, "ftp_videos_dir", "Clip directory", ""),
			boolean(m, "ftp_tls", "Explicit TLS (FTPS)", "The server's certificate is checked.", "true", "false"),
		}},
		{Title: "SMB (Windows share)", Fields: []Field{
			boolean(m, "smb_snapshot", "Upload pictures", "", "true", "false"),
			boolean(m, "smb_video", "Upload clips", "", "true", "false"),
			text(m, "smb_share", "Share", "Such as //NAS/camera."),
			text(m, "smb_username", "User", ""),
			secret(m, "smb_password", "Password", ""),
			text(m, "smb_stills_path", "Picture path", ""),
			text(m, "smb_videos_path", "Clip path", ""),
		}},
		{Title: "Dropbox", Fields: []Field{
			boolean(m, "dropbox_snapshot", "Upload pictures", "", "true", "false"),
			boolean(m, "dropbox_video", "Upload clips", "", "true", "false"),
			text(m, "dropbox_url", "Upload URL", ""),
			secret(m, "dropbox_token", "Token", ""),
			text(m, "dropbox_stills_dir", "Picture directory", ""),
			text(m, "dropbox_videos_dir", "Clip directory", ""),
		}},
	}
}

// systemPage holds freecam.conf's settings that are safe to change from a browser. SOURCE (which
// can name a program to run) and HTTP_LISTEN (which can lock the page out) are left to the file.
// The firmware's hostname.conf, timezone.conf and ntp_srv.conf hold a bare value, not KEY=value
// lines, so they are not settings here; the System page edits them itself. swap.conf is read by
// the system service (internal/system/swap), which also checks it (swap.go).
func systemPage() []Section {
	const f, o, s = "freecam.conf", "onvif.conf", "swap.conf"
	return []Section{
		{Title: "freecam", Fields: []Field{
			choice(f, "LOG_LEVEL", "Log level", "",
				Option{"debug", "debug"}, Option{"info", "info"}, Option{"warn", "warn"}, Option{"error", "error"}),
			number(f, "SNAPSHOT_QUALITY", "Snapshot JPEG quality", "1 to 100.", 1, 100),
			boolean(f, "SNAPSHOT_ANONYMOUS", "Snapshots without a password", "Lets anyone on the network fetch /snapshot.jpg, /mjpeg and currentpic.cgi. Off unless you need it.", "on", "off"),
			boolean(f, "RTSP_ANONYMOUS", "RTSP without a password", "Lets anyone on the network play the stream, as the firmware did. Off unless a player cannot send a password.", "on", "off"),
			decimal(f, "GOP_SECONDS", "Seconds between keyframes", "", 0, 60),
			decimal(f, "PREROLL_SECONDS", "Pre-roll (seconds)", "Video kept before a motion event; 0 off.", 0, 60),
			decimal(f, "WATCHDOG_SECONDS", "Source watchdog (seconds)", "A source silent this long is restarted.", 0, 3600),
			number(f, "RTSP_UDP_PORT", "RTSP UDP port", "Even; 0 serves RTSP over TCP only.", 0, 65534),
		}},
		{Title: "ONVIF", Fields: []Field{
			text(o, "ONVIF_NAME", "Camera name", "Shown by NVRs and discovery; empty: the host name. NVRs log in with an account that allows Digest / ONVIF."),
			text(o, "ONVIF_LOCATION", "Location", "Optional, for example garage."),
			boolean(o, "ONVIF_DISCOVERY", "Discovery", "Announce the camera so NVRs and Home Assistant find it on the local network.", "on", "off"),
			number(o, "ONVIF_MAX_SUBSCRIPTIONS", "Event subscriptions", "Kept at once; applies when freecam restarts.", 1, 256),
			number(o, "PTZ_FOV_STEPS_X", "Motor steps across the picture", "For moves in the field of view (Frigate's autotracking); applies when freecam restarts.", 1, 100000),
			number(o, "PTZ_FOV_STEPS_Y", "Motor steps up the picture", "Applies when freecam restarts.", 1, 100000),
		}},
		{Title: "Swap", Fields: []Field{
			boolean(s, "SWAP_ZRAM", "Compressed memory swap (zram)", "Swap compressed into memory: the 64 MB cameras run out of memory without it. On by default.", "true", "false"),
			number(s, "SWAP_ZRAM_SIZE", "zram size (bytes)", "Uncompressed size of the compressed swap; default 16777216 (16 MiB).", 1<<20, 1<<30),
			boolean(s, "SWAP", "Swap file on the SD card", "An extra, slower swap file for many services at once. Off by default.", "true", "false"),
			text(s, "SWAPPATH", "Swap file", "An absolute path on the SD card; default /system/sdcard/swapfile."),
			number(s, "SWAPSIZE", "Swap file size (MB)", "1 to 4095; default 256. Created once, which can take a minute.", 1, 4095),
		}},
	}
}
