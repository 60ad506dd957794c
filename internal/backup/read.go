package backup

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
)

// errOverLimit is returned by limitedReader past its limit.
var errOverLimit = errors.New("over the limit")

// limitedReader fails, rather than ends, after max bytes: a truncated read must not look like
// a complete archive.
type limitedReader struct {
	r   io.Reader
	max int64
	n   int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, errOverLimit
	}
	if rest := l.max - l.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errOverLimit
	}
	return n, err
}

// archive is what readArchive found.
type archive struct {
	files        map[string]entry // by cleaned name: the files a restore may write
	autostartDir bool             // the archive has autostart/ (a directory entry or a file in it)
}

// readArchive reads a tar.gz into memory under o's limits. It stops at the first problem,
// which it adds to rep.Refused (the error is then ErrMalformed); ignored files go to
// rep.Ignored, their content unread.
func readArchive(r io.Reader, o RestoreOptions, rep *Report) (*archive, error) {
	compressed := &limitedReader{r: r, max: o.MaxArchiveSize}
	refuse := func(file, format string, args ...any) (*archive, error) {
		rep.refuse(file, format, args...)
		return nil, rep.refusal(ErrMalformed)
	}
	readErr := func(err error) (*archive, error) {
		switch {
		case compressed.n > compressed.max:
			return refuse("", "the archive is larger than %d bytes", o.MaxArchiveSize)
		case errors.Is(err, errOverLimit):
			return refuse("", "the archive unpacks to more than %d bytes", o.MaxTotalSize)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return refuse("", "the archive is cut short")
		}
		return refuse("", "not a tar.gz archive: %v", err)
	}
	gz, err := gzip.NewReader(compressed)
	if err != nil {
		if compressed.n > compressed.max {
			return readErr(err)
		}
		return refuse("", "not a tar.gz archive (%v)", err)
	}
	// Headers and padding are 512-byte blocks: a few per file on top of the contents.
	unpacked := &limitedReader{r: gz, max: o.MaxTotalSize + int64(o.MaxFiles+2)*4096}
	tr := tar.NewReader(unpacked)
	a := &archive{files: make(map[string]entry)}
	seen := make(map[string]bool)
	var total int64
	for count := 0; ; count++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return readErr(err)
		}
		if count >= o.MaxFiles {
			return refuse("", "more than %d entries in the archive", o.MaxFiles)
		}
		name, why := cleanName(h.Name)
		if why != "" {
			return refuse(h.Name, "%s", why)
		}
		switch h.Typeflag {
		case tar.TypeReg: // archive/tar turns the old TypeRegA into TypeReg
		case tar.TypeDir:
			if name == AutostartDir {
				a.autostartDir = true
			}
			continue
		case tar.TypeXGlobalHeader:
			continue
		case tar.TypeSymlink:
			return refuse(name, "a symbolic link (to %q): a restore writes only regular files", h.Linkname)
		case tar.TypeLink:
			return refuse(name, "a hard link (to %q): a restore writes only regular files", h.Linkname)
		case tar.TypeChar, tar.TypeBlock:
			return refuse(name, "a device: a restore writes only regular files")
		case tar.TypeFifo:
			return refuse(name, "a named pipe: a restore writes only regular files")
		default:
			return refuse(name, "an entry of type %q: a restore writes only regular files", h.Typeflag)
		}
		if name == "" {
			return refuse(h.Name, "a file without a name")
		}
		if h.Size > o.MaxFileSize {
			return refuse(name, "%d bytes, more than the %d a config file may have", h.Size, o.MaxFileSize)
		}
		if total += h.Size; total > o.MaxTotalSize {
			return refuse(name, "the files add up to more than %d bytes", o.MaxTotalSize)
		}
		if seen[name] {
			return refuse(name, "appears twice in the archive")
		}
		seen[name] = true
		k, reason := classify(name)
		if path.Dir(name) == AutostartDir {
			a.autostartDir = true
		}
		if k == ignored {
			rep.Ignored = append(rep.Ignored, Entry{File: name, Reason: reason})
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, o.MaxFileSize+1))
		if err != nil {
			return readErr(err)
		}
		if int64(len(data)) != h.Size {
			return refuse(name, "the archive is damaged: %d bytes where the header says %d", len(data), h.Size)
		}
		a.files[name] = entry{name: name, data: data, mode: fs.FileMode(h.Mode).Perm(), modTime: h.ModTime}
	}
	// The end of the tar is not the end of the gzip stream: read on (bounded) so that a damaged
	// or oversized tail is noticed.
	if _, err := io.Copy(io.Discard, unpacked); err != nil {
		return readErr(err)
	}
	if err := gz.Close(); err != nil {
		return readErr(err)
	}
	return a, nil
}

// cleanName returns the archive name relative to the config directory ("" for the directory
// itself), or why it is refused.
func cleanName(name string) (string, string) {
	if strings.HasPrefix(name, "/") {
		return "", "an absolute path: a restore writes only inside the config directory"
	}
	if strings.ContainsRune(name, 0) {
		return "", "a name with a NUL byte"
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", "a path with ..: a restore writes only inside the config directory"
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", ""
	}
	return clean, ""
}
