// Package storage keeps freecam's media directories (recordings, timelapse pictures, later motion
// clips) within their limits: age, total size and free space on the file system.
//
// A Retention deletes only regular files under its root whose base name matches one of its
// patterns, oldest first, and never a file its Keep hook claims. It must never touch anything else
// (user files, a half-written segment, the config directory), so patterns are required and
// symbolic links are never followed.
package storage
