// Package ftp is the FTP delivery target: it uploads motion pictures and clips to the server of
// motion.conf's ftp_* keys, passive mode, optionally over explicit TLS (AUTH TLS). It keeps the
// firmware's layout and never logs the password; retrying and spooling are the queue's job.
package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

// Options tune the target. The zero value is usable.
type Options struct {
	Log *slog.Logger // nil: discard
	// Timeout bounds connecting and every read or write on the control and data connections (an
	// idle limit, not a limit on a whole upload); default 30 s.
	Timeout time.Duration
	// TLSConfig verifies the server when the Remote asks for TLS. nil: the system's roots and the
	// host name of ftp_host. Tests set RootCAs; ServerName defaults to the host.
	TLSConfig *tls.Config
}

// Target uploads items to one FTP server. Deliver may be called from several goroutines; each
// call uses its own connection.
type Target struct {
	r    conf.Remote
	host string
	addr string // host:port
	tls  *tls.Config
	o    Options
}

var _ deliver.Target = (*Target)(nil)

// New checks r and returns its target. It does not connect.
func New(r conf.Remote, o Options) (*Target, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	host := strings.TrimSpace(r.Host)
	if host == "" {
		return nil, errors.New("ftp: ftp_host is empty")
	}
	port := r.Port
	if port == 0 {
		port = 21
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("ftp: ftp_port must be 1 to 65535 (got %d)", r.Port)
	}
	t := &Target{r: r, host: host, addr: net.JoinHostPort(host, strconv.Itoa(port)), o: o}
	if r.TLS {
		cfg := &tls.Config{}
		if o.TLSConfig != nil {
			cfg = o.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if cfg.ClientSessionCache == nil {
			// Servers such as vsftpd want the data connection to resume the control's session.
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(8)
		}
		t.tls = cfg
	}
	return t, nil
}

// Name is "ftp".
func (t *Target) Name() string { return "ftp" }

// Deliver uploads it's first file. Pictures go to ftp_stills_dir, clips to ftp_videos_dir, as
// <dir>/<Name>.<ext> without Item.Group: that is where the firmware's ftpput put them
// ($ftp_stills_dir/$filename.jpg), unlike its SMB upload which used the group. The file is sent
// under a temporary name and renamed when complete, so a half upload never looks done and a
// retry replaces it. Cancelling ctx closes the connections at once.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	dir, remote, err := t.remotePath(it)
	if err != nil {
		return err
	}
	src, err := os.Open(it.Files[0])
	if err != nil {
		return &deliver.Permanent{Err: fmt.Errorf("ftp: %s: open %s: %w", t.addr, it.Files[0], err)}
	}
	defer src.Close()

	if err := t.upload(ctx, dir, remote, src); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("ftp: %s: upload %s: %w", t.addr, remote, err)
	}
	t.o.Log.Debug("uploaded", "server", t.addr, "path", remote, "item", it.ID)
	return nil
}

// remotePath returns the directory and the file's path on the server.
func (t *Target) remotePath(it deliver.Item) (dir, remote string, err error) {
	dir, err = it.DirFor(t.r.StillsDir, t.r.VideosDir)
	if err != nil {
		return "", "", fmt.Errorf("ftp: %w", err)
	}
	name, err := it.FileName()
	if err != nil {
		return "", "", fmt.Errorf("ftp: %w", err)
	}
	dir = strings.TrimRight(strings.TrimSpace(dir), "/")
	return dir, path.Join(dir, name), nil
}

// upload runs one session: connect, log in, make dir, STOR to a temporary name, rename, quit.
func (t *Target) upload(ctx context.Context, dir, remote string, src io.Reader) error {
	var conns connSet
	stop := context.AfterFunc(ctx, conns.closeAll)
	defer stop()
	defer conns.closeAll()

	opts := []ftp.DialOption{
		ftp.DialWithContext(ctx),
		ftp.DialWithDialFunc(t.dialFunc(ctx, &conns)),
		ftp.DialWithShutTimeout(t.o.Timeout),
	}
	if t.tls != nil {
		opts = append(opts, ftp.DialWithExplicitTLS(t.tls))
	}
	c, err := ftp.Dial(t.addr, opts...)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := c.Login(t.r.User, string(t.r.Password)); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code == ftp.StatusNotLoggedIn {
			return fmt.Errorf("login as %q refused, check ftp_username and ftp_password: %w", t.r.User, err)
		}
		return fmt.Errorf("login as %q: %w", t.r.User, err)
	}
	if err := mkdirAll(c, dir); err != nil {
		return err
	}
	tmp := remote + ".part"
	if err := c.Stor(tmp, src); err != nil {
		return fmt.Errorf("store %s: %w", tmp, err)
	}
	if err := c.Rename(tmp, remote); err != nil {
		// Some servers refuse to rename onto an existing file: delete it and try once more.
		if !isRefusal(err) {
			return fmt.Errorf("rename %s: %w", tmp, err)
		}
		_ = c.Delete(remote)
		if err := c.Rename(tmp, remote); err != nil {
			return fmt.Errorf("rename %s: %w", tmp, err)
		}
	}
	_ = c.Quit() // the file is complete; a failing QUIT changes nothing
	return nil
}

// mkdirAll makes each level of dir, ignoring refusals (the usual answer for "exists"); a real
// failure shows in the STOR that follows.
func mkdirAll(c *ftp.ServerConn, dir string) error {
	if dir == "" || dir == "/" || dir == "." {
		return nil
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		if parts[i] == "" || parts[i] == "." {
			continue
		}
		p := strings.Join(parts[:i+1], "/")
		if err := c.MakeDir(p); err != nil && !isRefusal(err) {
			return fmt.Errorf("make directory %s: %w", p, err)
		}
	}
	return nil
}

// isRefusal reports whether err is the server's 5xx answer (the connection is still usable).
func isRefusal(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}
