package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
)

// Defaults applied by Start for zero Options fields.
const (
	DefaultInterval  = time.Second
	DefaultRetention = 7 * 24 * time.Hour
)

// minInterval keeps Interval/10 a usable ticker period.
const minInterval = 10 * time.Millisecond

// shutdownSyncTimeout bounds the final sync in Close when the target is down;
// Litestream's own default (30 s) is long for a service manager's stop timeout.
const shutdownSyncTimeout = 10 * time.Second

// ErrClosed is returned by Sync after Close.
var ErrClosed = errors.New("backup: replicator closed")

// Options configures Start.
type Options struct {
	// URL is the target: file:///absolute/folder or
	// s3://bucket/path?endpoint=host:port&region=r.
	URL string
	// DataDir is the folder that holds the SQLite files.
	DataDir string
	// Files are the database file names inside DataDir; default balcao.db and media.db.
	Files []string
	// Interval bounds replication lag, default 1 s. The WAL is read every
	// Interval/2 and what was read is uploaded within Interval/10, so a commit
	// normally reaches the target within about Interval/2 plus the upload time.
	// Under continuous writes each file makes up to 2/Interval uploads a second.
	Interval time.Duration
	// Retention is how long old snapshots, and so restore points, are kept;
	// default 7 days. A snapshot is taken every min(Retention, 24 h).
	Retention time.Duration
	// Logger receives Litestream's logs; nil discards them.
	Logger *slog.Logger
}

// Replicator replicates a set of SQLite files continuously until Close.
type Replicator struct {
	store    *litestream.Store
	files    []*replicatedFile
	interval time.Duration
	started  time.Time
	closed   atomic.Bool
}

// replicatedFile is one database file and the client that ships it.
type replicatedFile struct {
	name   string
	db     *litestream.DB
	client *trackedClient
	url    string // redacted
}

// Start opens each file of o.Files for replication to o.URL and starts
// shipping changes in the background, until Close. It does not wait for the
// target: an unreachable one shows in Status (use CheckTarget to fail fast).
// A file that does not exist yet is picked up when it appears.
func Start(ctx context.Context, o Options) (*Replicator, error) {
	target, dataDir, files, err := resolveOptions(o.URL, o.DataDir, o.Files)
	if err != nil {
		return nil, err
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Interval < minInterval {
		return nil, fmt.Errorf("backup: interval %s is below the minimum of %s", o.Interval, minInterval)
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	log := o.Logger
	if log == nil {
		log = discardLogger()
	}

	r := &Replicator{interval: o.Interval, started: time.Now()}
	dbs := make([]*litestream.DB, 0, len(files))
	for _, name := range files {
		client, err := newClient(ctx, target, name)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		tc := &trackedClient{ReplicaClient: client}

		db := litestream.NewDB(filepath.Join(dataDir, name))
		// Litestream reads the WAL every MonitorInterval. The replica uploads
		// what was read when notified, but after each upload, or idle check,
		// it ignores notifications until its next SyncInterval tick: with equal
		// intervals a commit could wait two ticks. An idle replica tick costs
		// no request, so a short SyncInterval is cheap.
		db.MonitorInterval = o.Interval / 2
		replica := litestream.NewReplicaWithClient(db, tc)
		replica.SyncInterval = o.Interval / 10
		attachReplica(client, replica)
		db.Replica = replica

		dbs = append(dbs, db)
		r.files = append(r.files, &replicatedFile{
			name: name, db: db, client: tc, url: redactURL(fileURL(target, name)),
		})
	}

	r.store = litestream.NewStore(dbs, compactionLevels())
	r.store.Logger = log
	r.store.SnapshotInterval = min(o.Retention, 24*time.Hour)
	r.store.SnapshotRetention = o.Retention
	r.store.SetShutdownSyncTimeout(shutdownSyncTimeout)
	// NewStore has already given every DB a logger derived from slog.Default.
	for _, f := range r.files {
		f.db.SetLogger(log.With("db", f.name))
	}

	if err := r.store.Open(ctx); err != nil {
		_ = r.store.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("backup: start replication: %w", err)
	}
	return r, nil
}

// compactionLevels are Litestream's defaults, built fresh because
// litestream.DefaultCompactionLevels is a shared slice of pointers.
func compactionLevels() litestream.CompactionLevels {
	return litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	}
}

// checkFiles applies the default file list and rejects names that would
// escape the data folder or collide at the target.
func checkFiles(files []string) ([]string, error) {
	if len(files) == 0 {
		return defaultFiles(), nil
	}
	seen := map[string]bool{}
	for _, name := range files {
		if name == "" || name != filepath.Base(name) || name == "." || name == ".." || name == checkPath {
			return nil, fmt.Errorf("backup: file %q: want a plain file name inside the data folder", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("backup: file %q listed twice", name)
		}
		seen[name] = true
	}
	return files, nil
}

// Sync ships everything committed so far to the target and returns when the
// target has it. Files that do not exist yet are skipped: they hold nothing.
func (r *Replicator) Sync(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	var errs []error
	for _, f := range r.files {
		if _, err := os.Stat(f.db.Path()); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := f.db.SyncAndWait(ctx); err != nil {
			errs = append(errs, fmt.Errorf("backup: sync %s: %w", f.name, err))
		}
	}
	return errors.Join(errs...)
}

// Close makes a last sync of every file (bounded by ctx and by 10 s if the
// target is unreachable) and stops replication. Close the app's own
// connections first so that the last sync sees their final commits.
func (r *Replicator) Close(ctx context.Context) error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	// Litestream's Close only makes its final sync for a file it has already
	// opened, which it does on the first tick after Start: read the WAL now so
	// that commits made within the first Interval are not lost.
	var errs []error
	for _, f := range r.files {
		if _, err := os.Stat(f.db.Path()); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := f.db.Sync(ctx); err != nil {
			errs = append(errs, fmt.Errorf("backup: close: read WAL of %s: %w", f.name, err))
		}
	}
	if err := r.store.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("backup: close: %w", err))
	}
	return errors.Join(errs...)
}
