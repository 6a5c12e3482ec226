// Package cli implements balcao's subcommands; main.go only hands it the arguments.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"balcao/app/config"
)

// Version is set at build time with -ldflags "-X balcao/app/cli.Version=…".
var Version = "dev"

// Env is everything a command reads from the outside world.
type Env struct {
	Args       []string
	Getenv     func(string) string
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	Static     fs.FS
	Migrations fs.FS
}

// Run executes the command in env.Args and returns the process exit code.
func Run(ctx context.Context, env Env) int {
	args := env.Args
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, env, args, false)
	case "demo":
		err = serve(ctx, env, args, true)
	case "user":
		err = userCommand(ctx, env, args)
	case "token":
		err = tokenCommand(ctx, env, args)
	case "check":
		err = check(ctx, env, args)
	case "backup":
		err = backupCommand(ctx, env, args)
	case "restore":
		err = restore(ctx, env, args)
	case "version":
		fmt.Fprintln(env.Stdout, "balcao", Version)
	case "help":
		usage(env.Stdout)
	default:
		fmt.Fprintf(env.Stderr, "balcao: unknown command %q\n\n", cmd)
		usage(env.Stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "balcao:", err)
		return 1
	}
	return 0
}

// usage lists the commands and every setting.
func usage(w io.Writer) {
	fmt.Fprint(w, `balcao — atendimento ao cidadão pelo WhatsApp oficial, num só binário.

Commands:
  balcao [serve] [flags]     run the server (default)
  balcao demo [flags]        run with demo data and the WhatsApp simulator (temporary folder unless --data)
  balcao user add --name N --email E --role admin|supervisor|ouvidor|atendente [--data DIR]
                             create a panel user; the password is read from stdin or generated and printed once
  balcao token create --name NAME [--data DIR]
                             create a bearer token for the integration API (/api/v1); printed once, only its hash is kept
  balcao check [flags] [--env-file FILE]
                             check the configuration (WhatsApp credentials, data folder, disk space,
                             backup target, HTTPS) and say what is wrong; exit code 1 on a problem
  balcao backup status [flags] [--env-file FILE]
                             show the continuous backup: replica, last change shipped, lag, snapshots;
                             works with the server running or stopped; exit code 1 on a problem
  balcao restore --from URL --data FOLDER [--timestamp 2026-11-20T14:00:00-03:00] [--force]
                             bring balcao.db and media.db back from a backup into FOLDER (refuses a folder
                             with a database unless --force, which keeps the old files aside); then serve on it
  balcao version             print the version
  balcao help                this text

`)
	c := &config.Config{}
	config.PrintUsage(w, "serve", c.Settings())
}

// newLogger builds the process logger from the configuration.
func newLogger(w io.Writer, c *config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// OSEnv is the Env of the running process.
func OSEnv(static, migrations fs.FS) Env {
	return Env{Args: os.Args[1:], Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Static: static, Migrations: migrations}
}
