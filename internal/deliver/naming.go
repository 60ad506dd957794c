package deliver

import (
	"fmt"
	"path"
	"strings"
)

// FileName is the item's remote file name: Name plus the extension of its first file, or .jpg
// for a picture and .mp4 for a clip when that file has none. An item without a file, or whose
// Name would leave its directory, is Permanent: retrying cannot fix it.
func (it Item) FileName() (string, error) {
	if len(it.Files) == 0 {
		return "", &Permanent{Err: fmt.Errorf("item %s has no file", it.ID)}
	}
	if it.Name == "" || it.Name == "." || it.Name == ".." || strings.ContainsAny(it.Name, "/\\\x00\r\n") {
		return "", &Permanent{Err: fmt.Errorf("item %s: bad remote name %q", it.ID, it.Name)}
	}
	ext := path.Ext(strings.ReplaceAll(it.Files[0], `\`, "/"))
	if ext == "" {
		ext = ".jpg"
		if it.Kind == Clip {
			ext = ".mp4"
		}
	}
	return it.Name + ext, nil
}

// DirFor picks the remote directory for the item's kind: stills for a picture, videos for a
// clip. Any other kind cannot be uploaded as a file (Permanent).
func (it Item) DirFor(stills, videos string) (string, error) {
	switch it.Kind {
	case Snapshot:
		return stills, nil
	case Clip:
		return videos, nil
	}
	return "", &Permanent{Err: fmt.Errorf("item %s: cannot upload a %q item as a file", it.ID, it.Kind)}
}
