package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// FileStatus is the replication state of one database file.
type FileStatus struct {
	// Name is the file name inside the data folder, e.g. "balcao.db".
	Name string
	// ReplicaURL is where the file is replicated, without credentials.
	ReplicaURL string
	// LocalTXID is the last transaction Litestream has read from the WAL.
	// Commits still in the WAL (normally less than one Interval old) are not
	// counted until the next read.
	LocalTXID uint64
	// ReplicaTXID is the last transaction stored at the target.
	ReplicaTXID uint64
	// LagTXID is how many transactions the target is behind.
	LagTXID uint64
	// Lag is the age of the oldest change not yet at the target; zero when in sync.
	Lag time.Duration
	// InSync reports that the target holds every transaction read from the WAL.
	InSync bool
	// LastSync is the last successful exchange with the target; zero if none yet.
	LastSync time.Time
	// Snapshots is the number of full snapshots at the target.
	Snapshots int
	// OldestSnapshot and LatestSnapshot bound the restore points kept; zero when
	// Snapshots is 0.
	OldestSnapshot, LatestSnapshot time.Time
	// Warning says why replication is stopped, failing or not yet restorable;
	// empty when all is well.
	Warning string
}

// Status reports the replication state of every file. It asks the target for
// its position and snapshot list, so it does a few requests per file.
func (r *Replicator) Status(ctx context.Context) []FileStatus {
	out := make([]FileStatus, 0, len(r.files))
	for _, f := range r.files {
		out = append(out, r.fileStatus(ctx, f))
	}
	return out
}

func (r *Replicator) fileStatus(ctx context.Context, f *replicatedFile) (st FileStatus) {
	st = FileStatus{Name: f.name, ReplicaURL: f.url, LastSync: f.db.LastSuccessfulSyncAt()}
	var warnings []string
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	defer func() { st.Warning = strings.Join(warnings, "; ") }()

	if r.closed.Load() {
		warn("replication stopped: the replicator was closed")
	}
	if _, err := os.Stat(f.db.Path()); errors.Is(err, fs.ErrNotExist) {
		warn("waiting for %s to be created", f.db.Path())
		return st
	}
	if at, err := f.client.failure(); err != nil {
		warn("target failing since %s: %v", at.Format(time.RFC3339), err)
	}
	if d := f.db.SyncDiagnostic(); d.Error != "" {
		warn("reading the WAL failed: %s", d.Error)
	}

	if pos, err := f.db.Pos(); err != nil {
		warn("local position: %v", err)
	} else {
		st.LocalTXID = uint64(pos.TXID)
	}

	// Status lists through the unwrapped client: its own successful requests
	// must not hide a failure of the replication's.
	l0, listErr := listLevel(ctx, f.client.ReplicaClient, 0)
	minL0, maxL0 := txidRange(l0)
	if listErr != nil {
		// Fall back on the last upload seen to succeed, to still show the lag.
		warn("checking target: %v", listErr)
		maxL0 = f.client.shippedTXID()
	}
	st.ReplicaTXID = uint64(maxL0)
	st.InSync = listErr == nil && st.LocalTXID > 0 && st.ReplicaTXID >= st.LocalTXID
	if st.LocalTXID > st.ReplicaTXID {
		st.LagTXID = st.LocalTXID - st.ReplicaTXID
		st.Lag = r.pendingAge(f, maxL0+1, st.LastSync)
	}
	if listErr != nil {
		return st
	}

	snaps, err := listLevel(ctx, f.client.ReplicaClient, litestream.SnapshotLevel)
	if err != nil {
		warn("listing snapshots: %v", err)
		return st
	}
	st.Snapshots = len(snaps)
	for _, s := range snaps {
		if st.OldestSnapshot.IsZero() || s.CreatedAt.Before(st.OldestSnapshot) {
			st.OldestSnapshot = s.CreatedAt
		}
		if s.CreatedAt.After(st.LatestSnapshot) {
			st.LatestSnapshot = s.CreatedAt
		}
	}

	// A restore needs a snapshot, or the unbroken chain of changes from the
	// first transaction. Neither is there when the target was emptied behind
	// Litestream's back: it keeps shipping new changes and only the next
	// snapshot (up to 24 h later) makes the backup whole again.
	if st.ReplicaTXID > 0 && st.Snapshots == 0 && minL0 != 1 {
		warn("no snapshot at the target and its history does not start at the first transaction: a restore would fail until the next snapshot")
	}

	stale := 3*r.interval + 10*time.Second
	switch {
	case st.LastSync.IsZero() && time.Since(r.started) > stale:
		warn("no successful sync since replication started %s ago", time.Since(r.started).Round(time.Second))
	case !st.LastSync.IsZero() && time.Since(st.LastSync) > stale:
		warn("last successful sync %s ago", time.Since(st.LastSync).Round(time.Second))
	}
	return st
}

// pendingAge is how long the transaction next to be shipped has waited: the
// age of its local LTX file, or, if that is gone, the time since the last sync.
func (r *Replicator) pendingAge(f *replicatedFile, txid ltx.TXID, lastSync time.Time) time.Duration {
	if fi, err := os.Stat(f.db.LTXPath(0, txid, txid)); err == nil {
		return time.Since(fi.ModTime())
	}
	if lastSync.IsZero() {
		return time.Since(r.started)
	}
	return time.Since(lastSync)
}

// listLevel returns the files stored at one level of the target.
func listLevel(ctx context.Context, c litestream.ReplicaClient, level int) ([]*ltx.FileInfo, error) {
	itr, err := c.LTXFiles(ctx, level, 0, false)
	if err != nil {
		return nil, err
	}
	var infos []*ltx.FileInfo
	for itr.Next() {
		infos = append(infos, itr.Item())
	}
	return infos, itr.Close()
}

// txidRange returns the lowest and highest transaction IDs in infos (zero when
// there are none).
func txidRange(infos []*ltx.FileInfo) (lo, hi ltx.TXID) {
	for _, info := range infos {
		if lo == 0 || info.MinTXID < lo {
			lo = info.MinTXID
		}
		hi = max(hi, info.MaxTXID)
	}
	return lo, hi
}
