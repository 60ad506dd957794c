// Package importer takes over an existing Dafang Hacks config directory (/system/sdcard/config
// copied off the SD card) into freecam's config directory, and says what it did with every key
// of every file: applied (the value is taken), ignored (a key or file freecam does not use, a
// value left at the firmware's default, one freecam's config already has, the firmware's .dist
// defaults) or refused (an invalid value, a `$(…)` command substitution). Files it writes that
// the source did not have (freecam's default autostart services) are reported as added.
//
// Nothing is written unless the whole result loads (conf.Load over the merged directory) and
// nothing was refused; the typed files are then written with conf.Apply (atomic, each value
// shell-quoted), keeping the firmware's file names, which freecam reads as they are. The source
// directory is only read, and nothing in it is ever executed.
//
// Which keys freecam uses is asked of conf itself: a key whose value freecam reads is an error
// when it holds a command substitution, a key it does not know is a warning, and a key it knows
// but does not use is neither (see probe). The package does no logging and keeps no state.
package importer
