// Package store is the only package that writes SQL. It owns the SQLite
// files in the data folder: one writer connection (SQLite allows one writer at
// a time, so queueing in Go is cheaper than SQLITE_BUSY) and a pool of readers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

// MainFile is the name of the main database inside the data folder.
const MainFile = "balcao.db"

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// ErrInUse is returned when a row cannot be deleted because others refer to it.
var ErrInUse = errors.New("in use")

// Store is balcao's main database.
type Store struct {
	// W is the single writer connection.
	W *sql.DB
	// R is the pool of read-only connections.
	R    *sql.DB
	Path string
	// Media is media.db, beside the main database.
	Media *MediaDB
	now   func() time.Time
	// OnTransition, when set (by the wiring), is called inside the
	// transaction of every recorded ticket transition, after the change: what
	// the citizen is told of it is queued with it, or the change fails.
	OnTransition func(ctx context.Context, tx *sql.Tx, n TransitionNotice) error

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// heldExists asks whether anything is held for a contact (ReleaseHeldTx),
	// prepared at open: it runs for every inbound message.
	heldExists *sql.Stmt
}

// DSN returns the modernc.org/sqlite connection string balcao uses for path.
func DSN(path string, readOnly bool) string {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_time_format=sqlite"
	if readOnly {
		return dsn + "&_pragma=query_only(ON)"
	}
	return dsn + "&_txlock=immediate"
}

// CheckWritable fails with a message naming dir when balcao cannot write there.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data folder %s cannot be created: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
}

// Open opens (creating if needed) the main database in dataDir and applies the
// embedded migrations. A database written by a newer balcao is refused untouched.
func Open(ctx context.Context, dataDir string, migrations fs.FS, log *slog.Logger) (*Store, error) {
	if err := CheckWritable(dataDir); err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, MainFile)
	if err := checkNotNewer(ctx, path, migrations); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", DSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, w, migrations, log); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := sql.Open("sqlite", DSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	readers := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s := &Store{W: w, R: r, Path: path, now: time.Now, stmts: map[string]*sql.Stmt{}}
	if err := s.backfillProtocols(ctx); err != nil {
		s.R.Close()
		s.W.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.heldExists, err = s.cachedStmt(ctx, `SELECT EXISTS (SELECT 1 FROM held_messages WHERE contact_id = ?)`); err != nil {
		s.R.Close()
		s.W.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Media, err = openMedia(ctx, dataDir, migrations, log, s.Now); err != nil {
		s.R.Close()
		s.W.Close()
		return nil, err
	}
	return s, nil
}

// Close closes both pools; the WAL is checkpointed by the last close.
func (s *Store) Close() error {
	return errors.Join(s.Media.Close(), s.R.Close(), s.W.Close())
}

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock in Unix milliseconds.
func (s *Store) Now() int64 { return s.now().UnixMilli() }

// Ready reports whether the database answers and every known migration is applied.
func (s *Store) Ready(ctx context.Context, migrations fs.FS) error {
	p, err := goose.NewProvider(database.DialectSQLite3, s.R, migrations)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if pending {
		return errors.New("database: migrations pending")
	}
	return nil
}

func migrate(ctx context.Context, db *sql.DB, migrations fs.FS, log *slog.Logger) error {
	p, err := goose.NewProvider(database.DialectSQLite3, db, migrations)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	var partial *goose.PartialError
	if errors.As(err, &partial) {
		results = partial.Applied
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration)
	}
	if partial != nil && partial.Failed != nil && partial.Failed.Source != nil {
		// Each migration runs in its own transaction: the failed one left nothing behind.
		version, _ := p.GetDBVersion(ctx)
		state := "the database is unchanged and the previous balcao still runs on it"
		if n := len(partial.Applied); n > 0 {
			state = fmt.Sprintf("%d earlier migration(s) of this upgrade were applied, so the previous balcao refuses this database: fix the upgrade or restore the backup taken before it", n)
		}
		return fmt.Errorf("migration %s failed and was rolled back (schema version %d; %s): %w",
			filepath.Base(partial.Failed.Source.Path), version, state, partial.Err)
	}
	if err != nil {
		return fmt.Errorf("migration failed, database left at the last good version: %w", err)
	}
	return nil
}

// checkNotNewer refuses a database that has migrations this binary does not know.
// It opens the file read-only so that a refused database is left byte for byte.
func checkNotNewer(ctx context.Context, path string, migrations fs.FS) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	known, err := maxVersionFromNames(migrations)
	if err != nil {
		return err
	}
	// Read-only still creates -wal and -shm files beside a WAL database. With no
	// -wal present the main file holds every commit, so read it as immutable,
	// which creates nothing; with one (an unclean stop) it must be read too.
	dsn := "file:" + path + "?immutable=1"
	if _, err := os.Stat(path + "-wal"); err == nil {
		dsn = "file:" + path + "?mode=ro&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='goose_db_version'`).Scan(&exists); err != nil {
		return fmt.Errorf("read %s (is it a SQLite database?): %w", path, err)
	}
	if exists == 0 {
		return nil
	}
	var have int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version of %s: %w", path, err)
	}
	if have > known {
		return fmt.Errorf("database %s has schema version %d, newer than this balcao knows (%d): upgrade balcao or restore a backup; nothing was changed", path, have, known)
	}
	return nil
}

// maxVersionFromNames is the newest migration version this binary embeds.
func maxVersionFromNames(migrations fs.FS) (int64, error) {
	entries, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return 0, err
	}
	var v int64
	for _, name := range entries {
		n, err := goose.NumericComponent(name)
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", name, err)
		}
		v = max(v, n)
	}
	return v, nil
}

// tx runs fn in a write transaction on the writer connection.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	t, err := s.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// prepared is a statement to bind into dst.
type prepared struct {
	dst **sql.Stmt
	sql string
}

// txWith runs fn in a write transaction with the statements of list bound to
// it. Hot-path statements are prepared once on the writer connection and
// reused, since parsing SQL dominated small group commits; they are prepared
// before the transaction begins because the writer pool has one connection.
func (s *Store) txWith(ctx context.Context, list []prepared, fn func(*sql.Tx) error) error {
	stmts := make([]*sql.Stmt, len(list))
	for i, p := range list {
		st, err := s.cachedStmt(ctx, p.sql)
		if err != nil {
			return err
		}
		stmts[i] = st
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for i, p := range list {
			*p.dst = tx.StmtContext(ctx, stmts[i])
		}
		return fn(tx)
	})
}

func (s *Store) cachedStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.W.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.stmts[query] = st
	return st, nil
}
