package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// inspectStale is how long a change may wait for the target before Inspect
// calls replication stopped: well above the lag of any sane Interval.
const inspectStale = time.Minute

// InspectOptions configures Inspect.
type InspectOptions struct {
	// URL is the target (see Options.URL).
	URL string
	// DataDir is the data folder the app replicates from.
	DataDir string
	// Files are the database file names; default balcao.db and media.db.
	Files []string
}

// Inspect reports the replication state of the files in o.DataDir without
// replicating anything, so that a command can ask while the app runs, or
// after it stopped. The local side is what Litestream last read from each
// file (its state folder beside the file); the target side is listed. Unlike
// Status, LastSync is when the newest change at the target was written (an
// idle app ships nothing, so it may be old), and a file counts as stopped
// only when a change has waited more than a minute.
func Inspect(ctx context.Context, o InspectOptions) ([]FileStatus, error) {
	target, dataDir, files, err := resolveOptions(o.URL, o.DataDir, o.Files)
	if err != nil {
		return nil, err
	}
	out := make([]FileStatus, 0, len(files))
	for _, name := range files {
		out = append(out, inspectFile(ctx, target, dataDir, name))
	}
	return out, nil
}

// inspectFile reports one file; problems become warnings, as in Status.
func inspectFile(ctx context.Context, target *url.URL, dataDir, name string) (st FileStatus) {
	st = FileStatus{Name: name, ReplicaURL: redactURL(fileURL(target, name))}
	var warnings []string
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	defer func() { st.Warning = strings.Join(warnings, "; ") }()

	path := filepath.Join(dataDir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		warn("no database at %s", path)
	}
	local, err := localLTX(dataDir, name)
	if err != nil {
		warn("reading the local replication state: %v", err)
	}
	_, localMax := txidRange(local)
	st.LocalTXID = uint64(localMax)
	if len(local) == 0 && err == nil {
		warn("no local replication state: balcao has not replicated this file from %s yet", dataDir)
	}

	client, err := newClient(ctx, target, name)
	if err != nil {
		warn("checking target: %v", err)
		return st
	}
	var all []*ltx.FileInfo
	for _, level := range []int{0, 1, 2, 3} {
		infos, err := listLevel(ctx, client, level)
		if err != nil {
			warn("checking target: %v", err)
			return st
		}
		all = append(all, infos...)
	}
	snaps, err := listLevel(ctx, client, litestream.SnapshotLevel)
	if err != nil {
		warn("listing snapshots: %v", err)
		return st
	}
	minTXID, maxTXID := txidRange(append(all, snaps...))
	st.ReplicaTXID = uint64(maxTXID)
	for _, info := range all {
		if info.CreatedAt.After(st.LastSync) {
			st.LastSync = info.CreatedAt
		}
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
	st.InSync = st.LocalTXID > 0 && st.ReplicaTXID >= st.LocalTXID

	if st.ReplicaTXID == 0 {
		warn("nothing at the target yet")
	} else if st.Snapshots == 0 && minTXID != 1 {
		warn("no snapshot at the target and its history does not start at the first transaction: a restore would fail until the next snapshot")
	}
	if st.LocalTXID > st.ReplicaTXID {
		st.LagTXID = st.LocalTXID - st.ReplicaTXID
		st.Lag = oldestPending(local, maxTXID)
		if st.Lag > inspectStale {
			warn("%d transactions read %s ago have not reached the target: replication has stopped or is failing", st.LagTXID, st.Lag.Round(time.Second))
		}
	}
	return st
}

// localLTX lists Litestream's level-0 files in the state folder of name.
func localLTX(dataDir, name string) ([]*ltx.FileInfo, error) {
	dir := filepath.Join(dataDir, "."+name+litestream.MetaDirSuffix, "ltx", "0")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var infos []*ltx.FileInfo
	for _, ent := range ents {
		lo, hi, err := ltx.ParseFilename(ent.Name())
		if err != nil {
			continue
		}
		fi, err := ent.Info()
		if err != nil {
			continue // removed by compaction meanwhile
		}
		infos = append(infos, &ltx.FileInfo{Level: 0, MinTXID: lo, MaxTXID: hi, Size: fi.Size(), CreatedAt: fi.ModTime()})
	}
	return infos, nil
}

// oldestPending is the age of the oldest local file holding transactions
// after shipped.
func oldestPending(local []*ltx.FileInfo, shipped ltx.TXID) time.Duration {
	var oldest time.Time
	for _, info := range local {
		if info.MaxTXID > shipped && (oldest.IsZero() || info.CreatedAt.Before(oldest)) {
			oldest = info.CreatedAt
		}
	}
	if oldest.IsZero() {
		return 0
	}
	return time.Since(oldest)
}
