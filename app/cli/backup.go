package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"balcao/app/backup"
	"balcao/app/config"
	"balcao/app/store"
)

// backupCommand handles `balcao backup status`.
func backupCommand(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "status" {
		return errors.New("usage: balcao backup status [--data FOLDER] [--backup-url URL] [--env-file FILE]")
	}
	args, getenv, err := takeEnvFile(args[1:], env.Getenv)
	if err != nil {
		return err
	}
	cfg, _, err := config.Load("backup status", args, getenv, env.Stderr)
	if err != nil {
		return err
	}
	if cfg.Backup.URL == "" {
		return errBoth("BALCAO_BACKUP_URL não está definido: não há backup contínuo. Veja docs/operacao.md.",
			"BALCAO_BACKUP_URL is not set: there is no continuous backup. See docs/operacao.md.", nil)
	}
	files, err := backup.Inspect(ctx, backup.InspectOptions{URL: cfg.Backup.URL, DataDir: cfg.DataDir,
		Files: []string{store.MainFile, store.MediaFile}})
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "Backup contínuo / continuous backup: %s\n", backup.Redact(cfg.Backup.URL))
	fmt.Fprintf(w, "Pasta de dados / data folder:       %s", absPath(cfg.DataDir))
	if dataDirInUse(cfg.DataDir) {
		fmt.Fprintln(w, " (balcão rodando / balcao running)")
	} else {
		fmt.Fprintln(w, " (balcão parado / balcao stopped)")
	}
	problems := 0
	for _, f := range files {
		printFileStatus(w, f)
		if f.Warning != "" {
			problems++
		}
	}
	if problems > 0 {
		return errBoth(fmt.Sprintf("%d arquivo(s) com problema de backup.", problems), fmt.Sprintf("%d file(s) with a backup problem.", problems), nil)
	}
	return nil
}

// printFileStatus writes the replication state of one file.
func printFileStatus(w io.Writer, f backup.FileStatus) {
	state := "EM DIA / IN SYNC"
	switch {
	case f.Warning != "":
		state = "COM PROBLEMA / FAILING"
	case !f.InSync:
		state = "ENVIANDO / CATCHING UP"
	}
	fmt.Fprintf(w, "\n%s  %s\n", f.Name, state)
	fmt.Fprintf(w, "  destino / replica:                  %s\n", f.ReplicaURL)
	fmt.Fprintf(w, "  transação local / local TXID:       %d\n", f.LocalTXID)
	fmt.Fprintf(w, "  no destino / at the replica:        %d\n", f.ReplicaTXID)
	if f.LagTXID > 0 {
		fmt.Fprintf(w, "  atraso / lag:                       %d transações/transactions, %s\n", f.LagTXID, f.Lag.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "  atraso / lag:                       nenhum / none\n")
	}
	if f.LastSync.IsZero() {
		fmt.Fprintf(w, "  último envio / last shipped:        nunca / never\n")
	} else {
		fmt.Fprintf(w, "  último envio / last shipped:        %s (%s)\n", stamp(f.LastSync), time.Since(f.LastSync).Round(time.Second))
	}
	fmt.Fprintf(w, "  snapshots:                          %d", f.Snapshots)
	if f.Snapshots > 0 {
		fmt.Fprintf(w, " (%s … %s)", stamp(f.OldestSnapshot), stamp(f.LatestSnapshot))
	}
	fmt.Fprintln(w)
	if f.Warning != "" {
		fmt.Fprintf(w, "  AVISO: a replicação parou, está falhando ou ainda não começou. / WARNING: %s\n", f.Warning)
	}
}

// stamp writes a moment for IT staff, in the server's zone.
func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 -07:00") }
