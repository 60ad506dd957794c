package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

const password = "s3cret-Pa55"

type part struct {
	name, ctype string
	data        []byte
}

// parseMIME returns the message's header, its text body and its attachments.
func parseMIME(t *testing.T, raw []byte) (netmail.Header, string, []part) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	var text string
	var parts []part
	var walk func(ctype string, enc string, disp string, r io.Reader)
	walk = func(ctype, enc, disp string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("content type %q: %v", ctype, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		if strings.EqualFold(enc, "base64") {
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		_, dp, _ := mime.ParseMediaType(disp)
		if strings.HasPrefix(disp, "attachment") {
			parts = append(parts, part{dp["filename"], mt, b})
			return
		}
		if mt == "text/plain" {
			if strings.EqualFold(enc, "quoted-printable") {
				b = qpDecode(t, b)
			}
			text += string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return msg.Header, text, parts
}

func qpDecode(t *testing.T, b []byte) []byte {
	r := multipartQP(b)
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("quoted-printable: %v", err)
	}
	return out
}

func fixtures(t *testing.T) (files []string, data [][]byte) {
	t.Helper()
	dir := t.TempDir()
	for _, c := range []struct{ name, content string }{
		{"p1.jpg", "\xff\xd8\xff\xe0first picture"},
		{"p2.jpg", "\xff\xd8\xff\xe0second picture " + strings.Repeat("x", 5000)},
		{"clip.mp4", "\x00\x00\x00\x18ftypmp42" + strings.Repeat("\x00\x01\x02", 20000)},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		files, data = append(files, p), append(data, []byte(c.content))
	}
	return files, data
}

func config(ms *mailServer, sec conf.MailSecurity, user string) conf.Mail {
	host, port, _ := net.SplitHostPort(ms.addr)
	p, _ := strconv.Atoi(port)
	if host == "127.0.0.1" {
		host = "localhost"
	}
	return conf.Mail{From: "cam@example.net", FromName: "Dafang", User: user, Pass: password,
		To: []string{"a@example.org", "b@example.org"}, Server: host, Port: p,
		Subject: "Alert !!", Body: "Motion detected", Security: sec}
}

func TestDeliverOverEachSecurity(t *testing.T) {
	files, data := fixtures(t)
	created := time.Date(2026, 11, 26, 14, 35, 1, 0, time.Local)
	tests := []struct {
		sec          conf.MailSecurity
		user         string
		wantTLS      bool
		wantStartTLS bool
	}{
		{conf.MailSTARTTLS, "cam", true, true},
		{conf.MailTLS, "cam", true, false},
		{conf.MailPlain, "", false, false},
		{conf.MailPlain, "cam", false, false},
		{conf.MailSTARTTLS, "", true, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.sec)+"/user="+tc.user, func(t *testing.T) {
			mode := string(tc.sec)
			ms, pool := startServer(t, mode, tc.user, password)
			mt := New(config(ms, tc.sec, tc.user), Options{RootCAs: pool, Timeout: 10 * time.Second})
			it := deliver.Item{ID: "ev9-mail", Kind: deliver.Snapshot, Created: created, Files: files,
				Name: "2026-11-26_14-35-01", Text: "Motion detected on dafang at 14:35:01"}
			if err := mt.Deliver(context.Background(), it); err != nil {
				t.Fatalf("Deliver: got %v, want nil", err)
			}
			msgs := ms.messages()
			if len(msgs) != 1 {
				t.Fatalf("messages: got %d, want 1", len(msgs))
			}
			m := msgs[0]
			if m.tls != tc.wantTLS || m.starttls != tc.wantStartTLS || m.user != tc.user {
				t.Errorf("session: got tls %v starttls %v user %q, want %v %v %q", m.tls, m.starttls, m.user, tc.wantTLS, tc.wantStartTLS, tc.user)
			}
			if m.from != "cam@example.net" || !slices.Equal(m.to, []string{"a@example.org", "b@example.org"}) {
				t.Errorf("envelope: got %s → %v, want cam@example.net → both", m.from, m.to)
			}
			h, text, parts := parseMIME(t, m.data)
			if got := h.Get("Subject"); got != "Alert !!" {
				t.Errorf("Subject: got %q, want %q", got, "Alert !!")
			}
			if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Name != "Dafang" || from[0].Address != "cam@example.net" {
				t.Errorf("From: got %v (%v), want Dafang <cam@example.net>", from, err)
			}
			if to, _ := h.AddressList("To"); len(to) != 2 {
				t.Errorf("To: got %v, want both recipients", to)
			}
			if !strings.Contains(text, "Motion detected") || !strings.Contains(text, it.Text) {
				t.Errorf("body: got %q, want BODY and the item's text", text)
			}
			wantNames := []string{"20261126143501-1.jpg", "20261126143501-2.jpg", "2026-11-26_14-35-01.mp4"}
			wantTypes := []string{"image/jpeg", "image/jpeg", "video/mp4"}
			if len(parts) != len(wantNames) {
				t.Fatalf("attachments: got %d, want %d", len(parts), len(wantNames))
			}
			for i, p := range parts {
				if p.name != wantNames[i] || p.ctype != wantTypes[i] || !bytes.Equal(p.data, data[i]) {
					t.Errorf("attachment %d: got %q %s %d bytes, want %q %s %d bytes", i, p.name, p.ctype, len(p.data), wantNames[i], wantTypes[i], len(data[i]))
				}
			}
		})
	}
}

func TestCertificateIsVerified(t *testing.T) {
	for _, sec := range []conf.MailSecurity{conf.MailSTARTTLS, conf.MailTLS} {
		t.Run(string(sec), func(t *testing.T) {
			ms, _ := startServer(t, string(sec), "", "")
			mt := New(config(ms, sec, ""), Options{Timeout: 5 * time.Second}) // system roots: the test CA is unknown
			err := mt.Deliver(context.Background(), deliver.Item{ID: "a", Kind: deliver.Text, Text: "x"})
			if err == nil {
				t.Fatal("got nil, want a certificate error")
			}
			if deliver.IsPermanent(err) {
				t.Errorf("got permanent %v, want retryable (a certificate can be fixed)", err)
			}
			if n := len(ms.messages()); n != 0 {
				t.Errorf("messages: got %d, want 0", n)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		dataErr   error
		pass      string
		permanent bool
	}{
		{name: "451 at DATA retried", dataErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}},
		{name: "552 too big permanent", dataErr: &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message too big"}, permanent: true},
		{name: "554 rejected permanent", dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}, permanent: true},
		{name: "wrong password retried", pass: "wrong-Pa55word"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, pool := startServer(t, "starttls", "cam", password)
			if tc.dataErr != nil {
				ms.failData(tc.dataErr)
			}
			c := config(ms, conf.MailSTARTTLS, "cam")
			if tc.pass != "" {
				c.Pass = conf.Secret(tc.pass)
			}
			mt := New(c, Options{RootCAs: pool, Timeout: 5 * time.Second})
			err := mt.Deliver(context.Background(), deliver.Item{ID: "a", Kind: deliver.Text, Text: "x"})
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			if got := deliver.IsPermanent(err); got != tc.permanent {
				t.Errorf("permanent: got %v, want %v (%v)", got, tc.permanent, err)
			}
			if strings.Contains(err.Error(), "Pa55") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestAttachmentNames(t *testing.T) {
	it := deliver.Item{Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Files: []string{"/a/x.jpg", "/a/y.JPG", "/a/c.mp4"}}
	got := AttachmentNames(it)
	want := []string{"20260102030405-1.jpg", "20260102030405-2.jpg", "20260102030405.mp4"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
