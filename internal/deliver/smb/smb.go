// Package smb is the SMB delivery target: it writes motion pictures and clips to the share of
// motion.conf's smb_* keys (//server/share[/path]) over SMB2/3 with NTLM, in the firmware's
// layout <path>/<stills|videos path>/<group>/<name>.<ext>. It never logs the password; retrying
// and spooling are the queue's job.
package smb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cloudsoda/go-smb2"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

// Options tune the target. The zero value is usable.
type Options struct {
	Log *slog.Logger // nil: discard
	// Timeout bounds connecting and every read or write on the connection (an idle limit, not a
	// limit on a whole upload); default 30 s.
	Timeout time.Duration
	// Port is the server's TCP port; default 445. Tests set their smbd's.
	Port int
}

// Target writes items to one share. Deliver may be called from several goroutines; each call
// uses its own connection.
type Target struct {
	r      conf.Remote
	server string
	share  string
	base   string // path inside the share, "" for its root
	addr   string // server:port
	unc    string // //server/share[/path], for messages
	o      Options
}

var _ deliver.Target = (*Target)(nil)

// New checks r (r.Host is smb_share) and returns its target. It does not connect.
func New(r conf.Remote, o Options) (*Target, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Port == 0 {
		o.Port = 445
	}
	if o.Port < 1 || o.Port > 65535 {
		return nil, fmt.Errorf("smb: port must be 1 to 65535 (got %d)", o.Port)
	}
	server, share, base, err := conf.ParseShare(r.Host)
	if err != nil {
		return nil, fmt.Errorf("smb: smb_share %w", err)
	}
	for _, p := range []string{base, r.StillsDir, r.VideosDir} {
		if !safePath(p) {
			return nil, fmt.Errorf("smb: path %q leaves the share", p)
		}
	}
	unc := "//" + server + "/" + share
	if base != "" {
		unc += "/" + base
	}
	// smb_share may name a port, //nas:4450/share, for a server that does not listen on 445.
	addr := net.JoinHostPort(server, strconv.Itoa(o.Port))
	if h, p, err := net.SplitHostPort(server); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smb: smb_share %q: bad port %q", r.Host, p)
		}
		server, addr = h, net.JoinHostPort(h, p)
	}
	return &Target{r: r, server: server, share: share, base: base, unc: unc, addr: addr, o: o}, nil
}

// Name is "smb".
func (t *Target) Name() string { return "smb" }

// Deliver writes it's first file: pictures to smb_stills_path, clips to smb_videos_path, each in
// the sub-directory Item.Group (as the firmware's smbclient upload did), made if missing. The file
// is written under a temporary name and renamed over <Name>.<ext> when complete, so a half upload
// never looks done and a retry replaces it. Cancelling ctx closes the connection at once. A
// refused login is not Permanent: fixing the password delivers what waited.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	dir, remote, err := t.remotePath(it)
	if err != nil {
		return err
	}
	src, err := os.Open(it.Files[0])
	if err != nil {
		return &deliver.Permanent{Err: fmt.Errorf("smb: %s: open %s: %w", t.unc, it.Files[0], err)}
	}
	defer src.Close()
	if err := t.upload(ctx, dir, remote, src); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("smb: %s: upload %s: %w", t.unc, remote, err)
	}
	t.o.Log.Debug("uploaded", "share", t.unc, "path", remote, "item", it.ID)
	return nil
}

// remotePath returns the directory and the file's path inside the share.
func (t *Target) remotePath(it deliver.Item) (dir, remote string, err error) {
	sub, err := it.DirFor(t.r.StillsDir, t.r.VideosDir)
	if err != nil {
		return "", "", fmt.Errorf("smb: %w", err)
	}
	name, err := it.FileName()
	if err != nil {
		return "", "", fmt.Errorf("smb: %w", err)
	}
	if !safePath(it.Group) {
		return "", "", &deliver.Permanent{Err: fmt.Errorf("smb: item %s: bad group %q", it.ID, it.Group)}
	}
	dir = path.Join("/", t.base, clean(sub), clean(it.Group))[1:] // "" for the share's root
	return dir, path.Join(dir, name), nil
}

// clean turns a Windows-style or padded path into a slash path without outer slashes.
func clean(p string) string {
	return strings.Trim(strings.ReplaceAll(strings.TrimSpace(p), `\`, "/"), "/")
}

// safePath reports whether a relative path stays inside the share.
func safePath(p string) bool {
	for _, part := range strings.Split(clean(p), "/") {
		if part == ".." || strings.ContainsRune(part, 0) {
			return false
		}
	}
	return true
}

// upload runs one session: connect, authenticate, mount, make the directories, write to a
// temporary name, rename, unmount, log off.
func (t *Target) upload(ctx context.Context, dir, remote string, src io.Reader) error {
	d := net.Dialer{Timeout: t.o.Timeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	conn := &idleConn{Conn: raw, idle: t.o.Timeout}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	dialer := &smb2.Dialer{Initiator: &smb2.NTLMInitiator{User: t.r.User, Password: string(t.r.Password)}}
	sess, err := dialer.DialConn(ctx, conn, t.server)
	if err != nil {
		if status(err) == statusLogonFailure {
			return fmt.Errorf("login as %q refused, check smb_username and smb_password: %w", t.r.User, err)
		}
		return fmt.Errorf("session: %w", err)
	}
	sess = sess.WithContext(ctx)
	defer sess.Logoff()
	fs, err := sess.Mount(t.share)
	if err != nil {
		switch status(err) {
		case statusBadNetworkName:
			return fmt.Errorf("no share %q on %s, check smb_share: %w", t.share, t.server, err)
		case statusAccessDenied:
			return fmt.Errorf("%q may not use share %q, check the server's share permissions: %w", t.r.User, t.share, err)
		}
		return fmt.Errorf("mount %s: %w", t.share, err)
	}
	fs = fs.WithContext(ctx)
	defer fs.Umount()

	if dir != "" {
		if err := fs.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("make directory %s: %w", dir, err)
		}
	}
	tmp := remote + ".part"
	f, err := fs.Create(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := fs.Rename(tmp, remote); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}
