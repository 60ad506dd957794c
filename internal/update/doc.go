// Package update replaces freecam's own binary with a signed release and rolls it back when the
// new binary does not prove healthy. It must never install bytes it has not verified, never talk
// to an update server over unverified TLS, and never leave the camera without a runnable binary.
//
// # Manifest
//
// A release manifest is a JSON document at an HTTPS URL (Options.ManifestURL):
//
//	{
//	  "version":  "1.2.3",
//	  "released": "2026-11-26T17:00:00Z",
//	  "notes":    "what changed",
//	  "binaries": {
//	    "linux/mipsle": {"url": "https://…/freecam-linux-mipsle", "sha256": "hex", "size": 9123456,
//	                     "signature": "base64 ed25519 signature"},
//	    …
//	  }
//	}
//
// A binary's url may be relative to the manifest's; it must resolve to https.
//
// # What is signed
//
// Each binary entry carries an ed25519 signature over exactly these bytes (SignedMessage):
//
//	"freecam-update-v1\n" + version + "\n" + platform + "\n" + sha256 (lowercase hex) + "\n" + size (decimal) + "\n"
//
// so a signature binds one file (its hash and size) to one version and one platform: it cannot be
// moved to another version (a downgrade), another platform, or another file. The URL, the notes
// and the release date are not signed; they cannot change what is installed. A version or
// platform containing a newline is refused. Keys are raw 32-byte ed25519 public keys written in
// standard base64; the build's own key is set at link time
// (-ldflags "-X github.com/freecam/freecam/internal/update.builtinPublicKey=BASE64") and
// Options.PublicKeys (from the config) replaces it. A binary is accepted when any one key
// verifies its signature.
//
// # Platforms
//
// A platform is GOOS/GOARCH with the variant that changes the instruction set: linux/amd64,
// linux/arm64, linux/386, linux/armv5, linux/armv6, linux/armv7 (GOARM), linux/mipsle (GOMIPS=
// softfloat, the Dafang camera's build), linux/mipsle-hardfloat, and the same for mips. A build
// flavour may follow with a dash (linux/amd64-x264 for the cgo build with the software encoder);
// the running binary names its own platform through Options.Platform, by default Platform().
// `freecam release sign` takes the platform from each file name: freecam-linux-armv7,
// freecam-1.2.3-linux-amd64-x264 (everything from the operating system's name on).
//
// # Installing
//
// Apply downloads to a temporary file next to the binary (same file system, so the final rename
// is atomic), streaming it through SHA-256 with a fixed buffer, never holding it in memory. It
// refuses, naming what failed and leaving the running binary untouched: a signature that does not
// verify (checked before downloading), a server error, a download shorter or longer than the
// signed size, a hash that differs from the signed one, a file that is not an executable for this
// machine or that does not run `BINARY version` successfully (printing the release's version).
// Then it keeps the running binary as <bin>.previous, writes the marker <bin>.pending and renames
// the new file over <bin>.
//
// # Rollback state machine
//
// The files next to the binary are the state; nothing is kept in memory across processes:
//
//	stable     no <bin>.pending. GuardStart does nothing.
//	  │ Apply: <bin>.previous = old binary, <bin>.pending = {version, timeout, starts: 0}, new → <bin>
//	  ▼
//	pending    the caller restarts (Restart execs <bin>, or exits for the supervisor).
//	  │ each start: GuardStart increments starts and records the first start's time;
//	  │   starts > MaxStarts (it crashed before confirming)  → rollback
//	  │   now ≥ first start + timeout (deadline passed)      → rollback
//	  │   otherwise a watchdog waits for the deadline        → rollback when it passes
//	  │ ConfirmHealthy (the camera runs): <bin>.pending removed, and <bin>.rollback too when
//	  │   it is about this version (an earlier try of it, rolled back)  → stable
//	  ▼
//	rollback   <bin>.previous renamed over <bin>, <bin>.pending removed, <bin>.rollback records
//	           why (LastRollback reads it, for the UI); the guard's OnRollback runs (by default
//	           Restart: exec the old binary, or exit non-zero when that fails) → stable, old version
//
// <bin>.previous stays after a confirmation, so RollbackTo can restore it by hand
// (`freecam update --rollback`). Apply refuses to start while an update is pending. ReadStatus
// reports the three files for the UI; an automatic updater should not offer again the version
// the last rollback removed. The guard only protects a binary that gets as far as GuardStart:
// Apply's run check (`BINARY version`) is what keeps out one that cannot start at all, and a
// supervisor (systemd's Restart=on-failure) must restart a process that exits.
package update
