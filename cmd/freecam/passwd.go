package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/auth/tty"
)

const passwdUsage = `usage: freecam passwd [--config DIR] [--role admin|viewer] [--digest] [--delete] [USER]

Sets USER's password (default user: admin), creating the account if needed (a new account is a
viewer unless --role says otherwise, or an admin when there is no admin yet). On a terminal the password is asked twice without echo;
otherwise one line is read from stdin. The running camera notices the change within a second.
`

// passwdCmd changes the users file in the config directory. It works whether freecam runs or
// not: it only edits the file. It never prints the password.
func passwdCmd(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, passwdUsage); fs.PrintDefaults() }
	configDir := fs.String("config", "./config", "config directory")
	role := fs.String("role", "", "the account's role: admin or viewer (default: unchanged, viewer for a new account)")
	digest := fs.Bool("digest", false, "allow digest logins: ONVIF (Home Assistant, Synology, Frigate) and HTTP Digest; stores an MD5 HA1 and the password sealed with config/freecam.key, both password-equivalent")
	del := fs.Bool("delete", false, "delete the account instead")
	// Flags may come before or after USER.
	var users []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		users = append(users, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(users) > 1 {
		fmt.Fprintf(stderr, "freecam passwd: one user at a time, got %s\n", strings.Join(users, " "))
		return 2
	}
	name := "admin"
	if len(users) == 1 {
		name = users[0]
	}
	if *role != "" && !auth.Role(*role).Valid() {
		fmt.Fprintf(stderr, "freecam passwd: unknown role %q: want admin or viewer\n", *role)
		return 2
	}
	a, err := auth.New(auth.Options{ConfigDir: *configDir})
	if err != nil {
		fmt.Fprintln(stderr, "freecam passwd:", err)
		return 1
	}
	if *del {
		if err := a.DeleteUser(name); err != nil {
			fmt.Fprintln(stderr, "freecam passwd:", err)
			return 1
		}
		fmt.Fprintf(stdout, "deleted the account %s\n", name)
		return 0
	}

	var existing *auth.Account
	hasAdmin := false
	for _, u := range a.Users() {
		if u.Name == name {
			existing = &u
		}
		hasAdmin = hasAdmin || u.Role == auth.Admin
	}
	r := auth.Role(*role)
	switch {
	case r != "":
	case existing != nil:
		r = existing.Role
	case !hasAdmin: // the first account must be able to administer the camera
		r = auth.Admin
	default:
		r = auth.Viewer
	}
	password, err := readNewPassword(stdin, stderr, name)
	if err != nil {
		fmt.Fprintln(stderr, "freecam passwd:", err)
		return 1
	}
	if err := a.SetPassword(name, r, password, *digest); err != nil {
		fmt.Fprintln(stderr, "freecam passwd:", err)
		return 1
	}
	what := "changed the password of"
	if existing == nil {
		what = "created the account"
	}
	fmt.Fprintf(stdout, "%s %s (%s", what, name, r)
	if *digest {
		fmt.Fprint(stdout, ", HTTP Digest and ONVIF allowed")
	}
	fmt.Fprintln(stdout, ")")
	return 0
}

// readNewPassword asks twice on a terminal, or reads one line from a pipe or file.
func readNewPassword(stdin *os.File, prompts io.Writer, name string) (string, error) {
	p, err := tty.ReadSecret(stdin, prompts, "new password for "+name+": ")
	if err != nil || !tty.IsTerminal(stdin) {
		return p, err
	}
	again, err := tty.ReadSecret(stdin, prompts, "again: ")
	if err != nil {
		return "", err
	}
	if again != p {
		return "", errors.New("the passwords differ; nothing changed")
	}
	return p, nil
}
