package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"balcao/app/backup"
)

// Defaults applied by New for zero Options fields.
const (
	DefaultInterval = 30 * time.Second
	DefaultMinFree  = 1 << 30 // 1 GiB
)

// observedTTL is how long a write error reported by the app counts when no
// successful write follows it (no webhook arrives, say); after that only the
// probe speaks for the disk, until the next failure.
const observedTTL = 10 * time.Minute

// probeSize is what the probe writes: enough to need a free block.
const probeSize = 4096

// Options configures New.
type Options struct {
	// DataDir is the folder whose disk is watched.
	DataDir string
	// MinFree is the free space below which the disk counts as nearly full;
	// default 1 GiB.
	MinFree uint64
	// Interval is how often the disk is measured and probed and the backup
	// asked for its status; default 30 s.
	Interval time.Duration
	// Backup reports the continuous backup (e.g. (*backup.Replicator).Status);
	// nil when the backup is off.
	Backup func(context.Context) []backup.FileStatus
	// Log receives a line when a problem starts and when it ends.
	Log *slog.Logger
}

// Disk is what the monitor knows about the data folder's disk.
type Disk struct {
	// Path is the data folder.
	Path string
	// Free and Total are the bytes still writable and the size of the file
	// system; zero when they could not be measured.
	Free, Total uint64
	// MinFree is the threshold under which the disk is nearly full.
	MinFree uint64
	// CheckedAt is when Free was measured and the probe last ran.
	CheckedAt time.Time
	// Problem is the current failure, from the probe or a reported write.
	Problem Problem
	// Detail is the technical error behind Problem (English, for IT staff).
	Detail string
	// Since is when Problem was first seen.
	Since time.Time
}

// Low reports that free space is under the threshold.
func (d Disk) Low() bool { return d.Total > 0 && d.Free < d.MinFree }

// Backup is the last status of the continuous backup.
type Backup struct {
	// Enabled is false when no backup is configured.
	Enabled bool
	// Files is the status of each replicated file.
	Files []backup.FileStatus
	// CheckedAt is when Files was read; zero before the first check.
	CheckedAt time.Time
}

// Warning returns the first file warning, prefixed with the file name, or "".
func (b Backup) Warning() string {
	for _, f := range b.Files {
		if f.Warning != "" {
			return f.Name + ": " + f.Warning
		}
	}
	return ""
}

// Monitor watches the disk and the backup; its methods are safe for
// concurrent use.
type Monitor struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	// probe is the state the last probe and measure left.
	probe probeState
	// write is the last write failure the app reported, cleared by a success.
	write  writeState
	backup Backup
	// reported and reportedLow are what was last logged, to log changes once.
	reported    Problem
	reportedLow bool
}

type probeState struct {
	free, total uint64
	at          time.Time
	problem     Problem
	detail      string
	since       time.Time
}

type writeState struct {
	problem Problem
	detail  string
	since   time.Time // first failure of the current run
	at      time.Time // last failure
}

// New returns a monitor; call Check or Run to fill it.
func New(o Options) *Monitor {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MinFree == 0 {
		o.MinFree = DefaultMinFree
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Monitor{opts: o, log: log}
	m.backup.Enabled = o.Backup != nil
	return m
}

// Run checks at once and then every Interval until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.opts.Interval)
	defer t.Stop()
	for {
		m.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check measures free space, probes a write in the data folder and refreshes
// the backup status.
func (m *Monitor) Check(ctx context.Context) {
	free, total, spaceErr := DiskSpace(m.opts.DataDir)
	probeErr := probe(m.opts.DataDir)
	now := time.Now()

	m.mu.Lock()
	p := &m.probe
	p.at = now
	if spaceErr == nil {
		p.free, p.total = free, total
	}
	problem := Classify(probeErr)
	if probeErr != nil && problem == NoProblem {
		problem = IOError // a probe that fails for an unknown reason is still a disk that does not take writes
	}
	if spaceErr == nil && total > 0 && free == 0 {
		problem = Full
	}
	if problem != p.problem {
		p.since = now
	}
	p.problem, p.detail = problem, ""
	if probeErr != nil {
		p.detail = probeErr.Error()
	}
	m.mu.Unlock()
	m.logTransition()

	if m.opts.Backup != nil {
		files := m.opts.Backup(ctx)
		m.mu.Lock()
		m.backup.Files, m.backup.CheckedAt = files, time.Now()
		m.mu.Unlock()
	}
}

// probe creates, writes, syncs and removes a small file in dir.
func probe(dir string) error {
	f, err := os.CreateTemp(dir, ".disk-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	defer os.Remove(name)
	_, werr := f.Write(make([]byte, probeSize))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("write probe %s: %w", filepath.Base(name), err)
	}
	return nil
}

// Observe records the outcome of a write the app made: a disk failure raises
// the banner at once, a success clears a failure seen before. Other errors
// (a busy database, a cancelled request) are ignored.
func (m *Monitor) Observe(err error) {
	problem := Classify(err)
	if err != nil && problem == NoProblem {
		return
	}
	m.mu.Lock()
	w := &m.write
	switch {
	case problem == NoProblem && w.problem == NoProblem:
		m.mu.Unlock()
		return
	case problem == NoProblem:
		*w = writeState{}
	default:
		now := time.Now()
		if w.problem != problem {
			w.since = now
		}
		w.problem, w.detail, w.at = problem, err.Error(), now
	}
	m.mu.Unlock()
	m.logTransition()
}

// Disk returns what is known about the disk: a write failure the app reported
// recently wins over the probe, which only writes a small file.
func (m *Monitor) Disk() Disk {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.diskLocked()
}

func (m *Monitor) diskLocked() Disk {
	p := m.probe
	d := Disk{Path: m.opts.DataDir, Free: p.free, Total: p.total, MinFree: m.opts.MinFree, CheckedAt: p.at,
		Problem: p.problem, Detail: p.detail, Since: p.since}
	if w := m.write; w.problem != NoProblem && time.Since(w.at) < observedTTL {
		d.Problem, d.Detail, d.Since = w.problem, w.detail, w.since
	}
	return d
}

// logTransition logs when the disk problem changes.
func (m *Monitor) logTransition() {
	m.mu.Lock()
	d := m.diskLocked()
	changed, lowChanged := d.Problem != m.reported, d.Low() != m.reportedLow
	m.reported, m.reportedLow = d.Problem, d.Low()
	m.mu.Unlock()
	if lowChanged && d.Low() {
		m.log.Warn("the data folder's disk is nearly full", "data", d.Path, "free_mb", d.Free>>20, "min_free_mb", d.MinFree>>20)
	}
	switch {
	case !changed:
	case d.Problem == NoProblem:
		m.log.Info("disk writable again", "data", d.Path)
	default:
		m.log.Error("the data folder does not take writes: webhooks answer 503 until it is fixed",
			"problem", d.Problem.String(), "data", d.Path, "err", d.Detail)
	}
}

// Backup returns the backup status of the last check.
func (m *Monitor) Backup() Backup {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.backup
	b.Files = append([]backup.FileStatus(nil), b.Files...)
	return b
}

// RefreshBackup asks the backup for its status now (a few requests to the
// target per file), keeps it for the banner and returns it.
func (m *Monitor) RefreshBackup(ctx context.Context) Backup {
	if m.opts.Backup == nil {
		return Backup{}
	}
	files := m.opts.Backup(ctx)
	m.mu.Lock()
	m.backup.Files, m.backup.CheckedAt = files, time.Now()
	m.mu.Unlock()
	return m.Backup()
}
