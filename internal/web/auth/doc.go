// Package auth is freecam's accounts and credentials: the users file with argon2id hashes, login
// throttling, browser sessions, and the checks of HTTP Basic, HTTP Digest and session cookies.
package auth
