// Package mail sends motion alerts by e-mail as sendmail.conf says (the firmware's
// sendPictureMail.sh): From (FromName) to every TO address, SUBJECT, BODY plus the item's text,
// the item's pictures attached as YYYYmmddHHMMSS-<i>.jpg and a clip as an .mp4. The connection
// uses STARTTLS, implicit TLS or none (SECURITY), always verifying certificates, and
// authenticates when AUTH is set. The password is never logged nor part of an error.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

var _ deliver.Target = (*Target)(nil)

// Options tune a Target. The zero value is usable.
type Options struct {
	Log *slog.Logger // default: discard
	// Timeout bounds connecting and each SMTP command; default 60 s. A whole mail, attachments
	// included, gets five times as long.
	Timeout time.Duration
	// RootCAs replaces the system's roots for verifying the server (tests, a private CA).
	RootCAs *x509.CertPool
}

// Target mails items. Safe for concurrent use: each Deliver uses its own connection.
type Target struct {
	c    conf.Mail
	log  *slog.Logger
	opts Options
}

// New returns the mail target for sendmail.conf.
func New(c conf.Mail, o Options) *Target {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	return &Target{c: c, log: o.Log.With("target", "mail"), opts: o}
}

// Name is "mail".
func (t *Target) Name() string { return "mail" }

// AttachmentNames are the names the item's files get: pictures YYYYmmddHHMMSS-<i>.jpg from the
// item's time (1-based, as the firmware numbered them), a clip <Name>.mp4 (or the stamp).
func AttachmentNames(it deliver.Item) []string {
	stamp := it.Created.Format("20060102150405")
	names := make([]string, len(it.Files))
	pic := 0
	for i, f := range it.Files {
		ext := strings.ToLower(filepath.Ext(f))
		switch ext {
		case ".jpg", ".jpeg", "":
			pic++
			names[i] = stamp + "-" + strconv.Itoa(pic) + ".jpg"
		default:
			base := it.Name
			if base == "" {
				base = stamp
			}
			names[i] = base + ext
		}
	}
	return names
}

// Deliver sends one mail for the item. 4xx answers and connection problems are retryable; a 5xx
// answer about the message (552 too big, 554 rejected content) is deliver.Permanent.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	if t.c.Server == "" || len(t.c.To) == 0 {
		return &deliver.Permanent{Err: errors.New("mail: SERVER and TO must be set in sendmail.conf")}
	}
	m := gomail.NewMsg()
	if err := m.FromFormat(t.c.FromName, t.c.From); err != nil {
		return &deliver.Permanent{Err: fmt.Errorf("mail: FROM %q: %w", t.c.From, err)}
	}
	if err := m.To(t.c.To...); err != nil {
		return &deliver.Permanent{Err: fmt.Errorf("mail: TO: %w", err)}
	}
	m.Subject(t.c.Subject)
	m.SetDateWithValue(it.Created)
	if it.ID != "" {
		// The same item gives the same Message-ID, so a mail sent twice after a lost answer is
		// recognised as one by the mail client.
		m.SetMessageIDWithValue(it.ID + "@freecam")
	}
	body := t.c.Body
	if it.Text != "" {
		if body != "" {
			body += "\n\n"
		}
		body += it.Text
	}
	m.SetBodyString(gomail.TypeTextPlain, body)
	for i, name := range AttachmentNames(it) {
		ctype := gomail.TypeAppOctetStream
		switch filepath.Ext(name) {
		case ".jpg":
			ctype = "image/jpeg"
		case ".mp4":
			ctype = "video/mp4"
		}
		m.AttachFile(it.Files[i], gomail.WithFileName(name), gomail.WithFileContentType(ctype))
	}

	cl, err := t.client()
	if err != nil {
		return &deliver.Permanent{Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout*5)
	defer cancel()
	if err := cl.DialAndSendWithContext(ctx, m); err != nil {
		return classify(fmt.Errorf("mail: item %s to %s: %w", it.ID, t.c.Server, err))
	}
	return nil
}

// client builds the SMTP client for the configured security.
func (t *Target) client() (*gomail.Client, error) {
	port := t.c.Port
	if port == 0 {
		port = 587
		if t.c.Security == conf.MailTLS {
			port = 465
		}
	}
	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(t.opts.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: t.c.Server, RootCAs: t.opts.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	switch t.c.Security {
	case conf.MailTLS:
		opts = append(opts, gomail.WithSSL())
	case conf.MailPlain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if t.c.User != "" {
		auth := gomail.SMTPAuthAutoDiscover // the best the server offers: PLAIN, LOGIN, CRAM-MD5, SCRAM
		if t.c.Security == conf.MailPlain {
			auth = gomail.SMTPAuthPlainNoEnc // the user chose no TLS (a trusted relay)
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(t.c.User), gomail.WithPassword(string(t.c.Pass)))
	}
	cl, err := gomail.NewClient(t.c.Server, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %s:%d: %w", t.c.Server, port, err)
	}
	return cl, nil
}

// classify marks 5xx answers about the message as permanent: 552 (too big), 554 (rejected), and
// any 5xx to the DATA command. Everything else (4xx, refused login, no connection) is retried.
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	code := se.ErrorCode()
	switch {
	case code == 552 || code == 554:
		return &deliver.Permanent{Err: err}
	case code >= 500 && (se.Reason == gomail.ErrSMTPData || se.Reason == gomail.ErrSMTPDataClose || se.Reason == gomail.ErrWriteContent):
		return &deliver.Permanent{Err: err}
	}
	return err
}
