package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	_ "modernc.org/sqlite" // the integrity check opens the restored files
)

// ErrExists is returned (wrapped) by Restore when the data folder already holds
// one of the files and RestoreOptions.Force is not set.
var ErrExists = errors.New("backup: the data folder already holds a database")

// ErrNoBackup is returned (wrapped) by Restore when none of the files has a
// replica at the target.
var ErrNoBackup = errors.New("backup: no backup found")

// RestoreOptions configures Restore.
type RestoreOptions struct {
	// URL is the target the files were replicated to (see Options.URL).
	URL string
	// DataDir is the folder to restore into; it is created if missing.
	DataDir string
	// Timestamp restores the state as of that moment; zero restores the latest.
	// Precision is one sync for the last 5 minutes and 30 s before that, back to
	// the oldest snapshot kept.
	Timestamp time.Time
	// Force replaces files already in DataDir. They are moved aside to
	// DataDir/.pre-restore-<time>-<n>/, not deleted.
	Force bool
	// Files are the database file names; default balcao.db and media.db.
	Files []string
	// Logger receives Litestream's debug messages; nil discards them.
	Logger *slog.Logger
}

// RestoredFile reports what Restore did with one file.
type RestoredFile struct {
	// Name is the file name, e.g. "media.db".
	Name string
	// Path is where the file was restored; empty when Missing.
	Path string
	// Missing reports that the target holds no replica of this file (or, with a
	// Timestamp, none that old); the data folder was left as it was for this file.
	Missing bool
	// TXID is the last transaction restored.
	TXID uint64
	// State is when that transaction was shipped: the moment the file reflects.
	State time.Time
	// MovedAside is the folder the file it replaced was moved to (Force only);
	// empty if there was none.
	MovedAside string
}

// Restore rebuilds the files from the target into o.DataDir. Every file is
// first restored into a temporary folder inside DataDir and must pass
// PRAGMA integrity_check; only then are the files renamed into place, so a
// failed restore leaves DataDir untouched. The app must not be running on
// DataDir. A file with no replica is reported as Missing; if no file has one,
// Restore fails with ErrNoBackup.
func Restore(ctx context.Context, o RestoreOptions) ([]RestoredFile, error) {
	target, dataDir, files, err := resolveOptions(o.URL, o.DataDir, o.Files)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = discardLogger()
	}

	if !o.Force {
		for _, name := range files {
			for _, n := range []string{name, name + "-wal"} {
				if _, err := os.Lstat(filepath.Join(dataDir, n)); err == nil {
					return nil, fmt.Errorf("%w: %s contains %s; restore into another folder, or force it to replace the files", ErrExists, dataDir, n)
				}
			}
		}
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: data folder: %w", err)
	}
	// Inside DataDir so that the final renames stay on one file system.
	tmp, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("backup: temporary folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	results := make([]RestoredFile, 0, len(files))
	found := 0
	for _, name := range files {
		res, err := restoreFile(ctx, target, name, filepath.Join(tmp, name), o.Timestamp, log)
		if err != nil {
			return nil, err
		}
		if !res.Missing {
			found++
		}
		results = append(results, res)
	}
	if found == 0 {
		when := ""
		if !o.Timestamp.IsZero() {
			when = " as of " + o.Timestamp.Format(time.RFC3339)
		}
		return results, fmt.Errorf("%w at %s%s (looked for %s)", ErrNoBackup, redactURL(o.URL), when, strings.Join(files, ", "))
	}

	aside := ""
	for i, res := range results {
		if res.Missing {
			continue
		}
		final := filepath.Join(dataDir, res.Name)
		moved, err := clearOld(dataDir, res.Name, &aside)
		if err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(tmp, res.Name), final); err != nil {
			return nil, fmt.Errorf("backup: move restored %s into place: %w", res.Name, err)
		}
		results[i].Path = final
		if moved {
			results[i].MovedAside = aside
		}
	}
	if err := syncDir(dataDir); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return results, nil
}

// restoreFile restores one file to out and checks its integrity. The plan is
// worked out first and the restore then targets its last transaction, so what
// is reported is exactly what was written even if the source is still live.
func restoreFile(ctx context.Context, target *url.URL, name, out string, ts time.Time, log *slog.Logger) (RestoredFile, error) {
	res := RestoredFile{Name: name}
	client, err := newClient(ctx, target, name)
	if err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	plan, err := litestream.CalcRestorePlan(ctx, client, 0, ts, log)
	if errors.Is(err, litestream.ErrTxNotAvailable) {
		res.Missing = true
		return res, nil
	} else if err != nil {
		return res, fmt.Errorf("backup: plan restore of %s: %w", name, err)
	}
	last := plan[len(plan)-1]
	res.TXID, res.State = uint64(last.MaxTXID), last.CreatedAt

	replica := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = out
	opt.TXID = last.MaxTXID
	if err := replica.Restore(ctx, opt); err != nil {
		return res, fmt.Errorf("backup: restore %s: %w", name, err)
	}
	if err := integrityCheck(ctx, out); err != nil {
		return res, fmt.Errorf("backup: restored %s: %w", name, err)
	}
	return res, nil
}

// integrityCheck runs the full PRAGMA integrity_check (Litestream's own option
// stops at the first line of the report) and leaves no -wal or -shm behind.
func integrityCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
	}()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var report []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		report = append(report, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(report) != 1 || report[0] != "ok" {
		if len(report) > 5 {
			report = append(report[:5], "…")
		}
		return fmt.Errorf("integrity check failed: %s", strings.Join(report, "; "))
	}
	return nil
}

// clearOld makes room for a restored file: the database and its -wal and -shm
// go to a .pre-restore folder (created on first use and shared by the files of
// one restore), and Litestream's local state for the old database is deleted,
// because it describes a history the restored file does not have. A stale -wal
// left in place would be replayed over the restored file.
func clearOld(dataDir, name string, aside *string) (moved bool, err error) {
	for _, n := range []string{name, name + "-wal", name + "-shm"} {
		src := filepath.Join(dataDir, n)
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return moved, fmt.Errorf("backup: %w", err)
		}
		if *aside == "" {
			dir, err := os.MkdirTemp(dataDir, ".pre-restore-"+time.Now().UTC().Format("20060102T150405Z")+"-")
			if err != nil {
				return moved, fmt.Errorf("backup: folder for the replaced files: %w", err)
			}
			*aside = dir
		}
		if err := os.Rename(src, filepath.Join(*aside, n)); err != nil {
			return moved, fmt.Errorf("backup: move %s aside: %w", n, err)
		}
		moved = true
	}
	if err := os.RemoveAll(filepath.Join(dataDir, "."+name+litestream.MetaDirSuffix)); err != nil {
		return moved, fmt.Errorf("backup: remove old replication state of %s: %w", name, err)
	}
	return moved, nil
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
