// Package backup saves freecam's config directory as a tar.gz and restores such an archive,
// checked before anything is written.
//
// The archive is what the firmware's saveConfig.sh made (`tar -zcf … -C config --exclude='*.dist'
// .`): paths relative to the config directory, no built-in .dist defaults. Unlike the firmware's,
// the restore never trusts the archive: it reads it into memory under hard limits (archive size,
// file count, per-file and total size, so a gzip bomb stops early), refuses absolute paths, `..`,
// links and devices, writes only the files freecam knows (see Known), and writes nothing unless
// the result loads without errors (conf.Load over the current directory, the users file, the PTZ
// presets, the TLS key pairs). The firmware untarred anything anywhere (`tar -xf $F_file -C
// config/`, post-auth path traversal) and rebooted.
//
// The package does no logging, keeps no global state, and does not reload the camera: after a
// successful Restore the caller reloads. Create and Restore may run concurrently with readers of
// the directory; concurrent writers (a settings save during a restore) are the caller's to
// serialise.
package backup
