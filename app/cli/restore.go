package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"balcao/app/backup"
	"balcao/app/store"
)

// restoreUsage is the synopsis of `balcao restore`.
const restoreUsage = "balcao restore --from URL --data FOLDER [--timestamp 2026-11-20T14:00:00-03:00] [--force] [--env-file FILE]"

// restore handles `balcao restore`: it brings balcao.db and media.db back from
// a backup target into a data folder, for `balcao serve` to start on.
func restore(ctx context.Context, env Env, args []string) error {
	args, getenv, err := takeEnvFile(args, env.Getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	from := fs.String("from", getenv("BALCAO_BACKUP_URL"), "backup target: file:///folder or s3://bucket/path?endpoint=…&region=… (default BALCAO_BACKUP_URL)")
	data := fs.String("data", getenv("BALCAO_DATA"), "data folder to restore into (default BALCAO_DATA)")
	stamp := fs.String("timestamp", "", "restore the state as of this moment (RFC 3339, e.g. 2026-11-20T14:00:00-03:00); default the latest")
	force := fs.Bool("force", false, "replace the databases already in the folder (they are moved to a .pre-restore-… folder, not deleted)")
	fs.String(envFileFlag, "", "read settings from this file first, as systemd's EnvironmentFile= does")
	fs.Usage = func() { fmt.Fprintf(env.Stderr, "Usage: %s\n\n", restoreUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *data == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: %s", restoreUsage)
	}
	var at time.Time
	if *stamp != "" {
		if at, err = parseTimestamp(*stamp); err != nil {
			return err
		}
	}

	unlock, err := lockDataDir(*data)
	if err != nil {
		return err
	}
	defer unlock()
	fmt.Fprintf(env.Stdout, "Restaurando de / restoring from %s\n  para / into %s\n", backup.Redact(*from), absPath(*data))
	if !at.IsZero() {
		fmt.Fprintf(env.Stdout, "  no estado de / as of %s\n", at.Format(time.RFC3339))
	}
	files, err := backup.Restore(ctx, backup.RestoreOptions{URL: *from, DataDir: *data, Timestamp: at, Force: *force,
		Files: []string{store.MainFile, store.MediaFile}})
	switch {
	case errors.Is(err, backup.ErrExists):
		return errBoth("a pasta "+absPath(*data)+" já tem um banco de dados. Restaure numa pasta nova, ou use --force para substituí-lo (o atual é guardado numa pasta .pre-restore-…).",
			"the folder "+absPath(*data)+" already holds a database. Restore into a new folder, or use --force to replace it (the current one is kept in a .pre-restore-… folder).", err)
	case errors.Is(err, backup.ErrNoBackup):
		return errBoth("nenhum backup encontrado em "+backup.Redact(*from)+" (confira --from e, com --timestamp, se o momento está dentro dos pontos de restauração).",
			"no backup found at "+backup.Redact(*from)+" (check --from and, with --timestamp, that the moment is within the restore points).", err)
	case err != nil:
		return errBoth("a restauração falhou; a pasta de dados não foi alterada.", "the restore failed; the data folder was not changed.", err)
	}
	if err := ownLikeFolder(*data, files); err != nil {
		return err
	}
	printRestored(env, files)
	fmt.Fprintf(env.Stdout, "\nPronto. Inicie o balcão nesta pasta / done, start balcao on this folder:\n  balcao serve --data %s   (ou/or: systemctl start balcao)\n", absPath(*data))
	return nil
}

// printRestored lists what Restore did with each file.
func printRestored(env Env, files []backup.RestoredFile) {
	for _, f := range files {
		if f.Missing {
			fmt.Fprintf(env.Stdout, "  %-10s sem backup, não restaurado / no backup, not restored\n", f.Name)
			continue
		}
		fmt.Fprintf(env.Stdout, "  %-10s restaurado / restored: transação/transaction %d, estado de / state as of %s, integridade ok / integrity ok\n",
			f.Name, f.TXID, f.State.Local().Format("2006-01-02 15:04:05 -07:00"))
		if f.MovedAside != "" {
			fmt.Fprintf(env.Stdout, "  %-10s o arquivo anterior foi guardado em / the previous file was kept in %s\n", "", f.MovedAside)
		}
	}
}

// parseTimestamp reads --timestamp: RFC 3339, or the same without a zone in
// the server's local time.
func parseTimestamp(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", strings.Replace(s, " ", "T", 1), time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, errBoth("--timestamp "+s+": use o formato 2026-11-20T14:00:00-03:00.",
		"--timestamp "+s+": use the format 2026-11-20T14:00:00-03:00.", nil)
}

// absPath is p made absolute for messages (p itself if that fails).
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
