package conf

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Files of the notification targets, as the firmware named them.
const (
	MailFile     = "sendmail.conf"
	TelegramFile = "telegram.conf"
	MatrixFile   = "matrix.conf"
)

// MailSecurity is how the SMTP connection is protected.
type MailSecurity string

// Mail security modes.
const (
	MailSTARTTLS MailSecurity = "starttls" // the firmware's way (port 587)
	MailTLS      MailSecurity = "tls"      // implicit TLS (port 465)
	MailPlain    MailSecurity = "none"     // no TLS: only for a relay on a trusted network
)

// Mail is sendmail.conf.
type Mail struct {
	From, FromName string
	User           string // AUTH; empty: no authentication
	Pass           Secret // PASS
	To             []string
	Server         string
	Port           int
	Subject, Body  string
	Pictures       int           // NUMBEROFPICTURES: pictures attached, taken Interval apart; default 5
	Interval       time.Duration // TIMEBETWEENSNAPSHOT; default 5 s
	Quality        int           // QUALITY: JPEG quality of the pictures, 1–100, -1 for none attached; default 50
	Security       MailSecurity  // SECURITY (freecam): starttls, tls or none; default by port (465 tls, else starttls)
}

// Configured reports whether the mail has a server and a recipient (not the dist placeholders).
func (m Mail) Configured() bool {
	return m.Server != "" && len(m.To) > 0 && !strings.Contains(m.To[0], "@example.com")
}

// DefaultMail returns sendmail.conf's defaults.
func DefaultMail() Mail {
	return Mail{Server: "smtp.gmail.com", Port: 587, Subject: "Alert !!", Body: "Motion detected",
		Pictures: 5, Interval: 5 * time.Second, Quality: 50, Security: MailSTARTTLS,
		From: "camera@example.com", To: []string{"you@example.com"}}
}

func (m *Mail) decode(r *reader) {
	str := func(dst *string, key string) {
		if v, _, ok := r.str(key); ok {
			*dst = v
		}
	}
	str(&m.From, "FROM")
	str(&m.FromName, "FROMNAME")
	str(&m.User, "AUTH")
	if v, _, ok := r.str("PASS"); ok {
		m.Pass = Secret(v)
	}
	if v, _, ok := r.str("TO"); ok {
		m.To = nil
		for _, a := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ';' || c == ' ' }) {
			m.To = append(m.To, a)
		}
	}
	str(&m.Server, "SERVER")
	r.int(&m.Port, "PORT", 1, 65535, "")
	str(&m.Subject, "SUBJECT")
	str(&m.Body, "BODY")
	r.int(&m.Pictures, "NUMBEROFPICTURES", 0, 100, "pictures")
	r.seconds(&m.Interval, "TIMEBETWEENSNAPSHOT", true, 3600)
	if v, line, ok := r.str("QUALITY"); ok {
		q, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || q == 0 || q < -1 || q > 100 {
			r.fail(line, "QUALITY", "must be a JPEG quality from 1 to 100, or -1 for no pictures (got %q)", v)
		} else {
			m.Quality = q
		}
	}
	m.Security = MailSTARTTLS
	if m.Port == 465 {
		m.Security = MailTLS
	}
	if v, line, ok := r.str("SECURITY"); ok {
		switch s := MailSecurity(strings.ToLower(strings.TrimSpace(v))); s {
		case MailSTARTTLS, MailTLS, MailPlain:
			m.Security = s
		default:
			r.fail(line, "SECURITY", "must be starttls, tls or none (got %q)", v)
		}
	}
}

// Telegram is telegram.conf.
type Telegram struct {
	Token  Secret // apiToken
	ChatID string // userChatId: the only chat served
	// APIURL is api_url (freecam): the Bot API's base, https://api.telegram.org by default.
	APIURL string
}

// Configured reports whether a bot token and a chat are set.
func (t Telegram) Configured() bool { return t.Token != "" && t.ChatID != "" }

func (t *Telegram) decode(r *reader) {
	if v, _, ok := r.str("apiToken"); ok {
		t.Token = Secret(v)
	}
	if v, line, ok := r.str("userChatId"); ok {
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil && !strings.HasPrefix(v, "@") {
			r.fail(line, "userChatId", "must be a chat id (a number) or @channelname (got %q)", v)
		} else {
			t.ChatID = strings.TrimSpace(v)
		}
	}
	t.APIURL = baseURL(r, "api_url", t.APIURL)
}

// Matrix is matrix.conf.
type Matrix struct {
	Host   string
	Port   int
	RoomID string
	Sender string
	Token  Secret // access_token
	// BaseURL is base_url (freecam), or https://host:port built from host and port.
	BaseURL string
}

// Configured reports whether a homeserver, a room and a token are set.
func (m Matrix) Configured() bool { return m.BaseURL != "" && m.RoomID != "" && m.Token != "" }

func (m *Matrix) decode(r *reader) {
	for _, kv := range []struct {
		key string
		dst *string
	}{{"room_id", &m.RoomID}, {"sender", &m.Sender}} {
		if v, _, ok := r.str(kv.key); ok {
			*kv.dst = strings.TrimSpace(v)
		}
	}
	r.int(&m.Port, "port", 1, 65535, "")
	if v, line, ok := r.str("host"); ok {
		v = strings.TrimSpace(v)
		base, note, bad := matrixHost(v, m.Port)
		switch {
		case bad != "":
			r.fail(line, "host", "%s", bad)
		default:
			if note != "" {
				r.warn(line, "host", "%s", note)
			}
			m.Host, m.BaseURL = v, base
		}
	}
	if v, _, ok := r.str("access_token"); ok {
		m.Token = Secret(v)
	}
	m.BaseURL = baseURL(r, "base_url", m.BaseURL)
}

// matrixHost turns matrix.conf's host into the homeserver's URL: the firmware's bin/matrix
// builds https://host:port from a host name or address (an IPv6 one with or without brackets).
// A scheme, a port or a path in host never worked there, but what they mean is plain, and a
// config that freecam took before must not stop the camera now: such a value is used as the URL
// it spells, with a note saying how to write it. Anything else is a problem. All "" for "".
func matrixHost(h string, port int) (base, note, problem string) {
	if h == "" {
		return "", "", ""
	}
	bad := fmt.Sprintf("must be a host name or address, such as matrix.example.org (got %q)", h)
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
		if strings.HasPrefix(h, "[") != strings.HasSuffix(h, "]") || ip.To4() != nil && strings.HasPrefix(h, "[") {
			return "", "", bad
		}
		return "https://" + net.JoinHostPort(ip.String(), strconv.Itoa(port)), "", ""
	}
	spelled := h
	if !strings.Contains(h, "://") {
		spelled = "https://" + h
	}
	u, err := url.Parse(spelled)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || !validHostName(u.Hostname()) {
		return "", "", bad
	}
	p := u.Port()
	if p == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", "", bad
		}
		p = strconv.Itoa(port)
	} else if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return "", "", bad
	}
	base = u.Scheme + "://" + net.JoinHostPort(u.Hostname(), p) + strings.TrimSuffix(u.Path, "/")
	if spelled == "https://"+h && u.Port() == "" && u.Path == "" {
		return base, "", "" // a plain name
	}
	return base, fmt.Sprintf("holds more than a host name, which the firmware puts in https://host:port; "+
		"freecam uses %s: write host=%s and port=%s, or base_url=… for a homeserver under a path or on plain http", base, u.Hostname(), p), ""
}

// validHostName reports whether h is made of a DNS name's characters (or is an IP address).
func validHostName(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// baseURL reads an http(s) URL without a trailing slash.
func baseURL(r *reader, key, def string) string {
	v, line, ok := r.str(key)
	if !ok {
		return def
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail(line, key, "must be an http(s) URL (got %q)", v)
		return def
	}
	return strings.TrimSuffix(u.String(), "/")
}
