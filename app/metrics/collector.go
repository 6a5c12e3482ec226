package metrics

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"balcao/app/store"
)

var (
	outboxDesc = prometheus.NewDesc("balcao_outbox_messages",
		"Outbox rows not yet sent, by state: pending (waiting for their turn or a retry), inflight, unknown (cut by a crash, never resent automatically), failed.",
		[]string{"state"}, nil)
	queueDesc = prometheus.NewDesc("balcao_queue_tickets",
		"Tickets waiting for a clerk (nobody holds them), by group; group=\"\" for chats without a group.",
		[]string{"group"}, nil)
	fileDesc = prometheus.NewDesc("balcao_database_file_bytes",
		"Size of the database files in the data folder, write-ahead logs included.",
		[]string{"file"}, nil)
	lagDesc = prometheus.NewDesc("balcao_backup_lag_seconds",
		"Age of the oldest change not yet at the backup target (0 when in sync), as of the last backup check.",
		[]string{"file"}, nil)
	behindDesc = prometheus.NewDesc("balcao_backup_behind_transactions",
		"Transactions the backup target is behind, as of the last backup check.",
		[]string{"file"}, nil)
	lastSyncDesc = prometheus.NewDesc("balcao_backup_last_sync_timestamp_seconds",
		"Unix time of the last successful exchange with the backup target (0: none yet).",
		[]string{"file"}, nil)
	healthyDesc = prometheus.NewDesc("balcao_backup_healthy",
		"1 when replication of the file has no warning (running, target reachable, restorable), else 0.",
		[]string{"file"}, nil)
)

// dataFiles are the files whose size is reported.
var dataFiles = []string{store.MainFile, store.MainFile + "-wal", store.MediaFile, store.MediaFile + "-wal"}

// collector measures the gauges that read the database, the data folder and
// the backup status when Prometheus scrapes: a few indexed counts, no polling.
type collector struct {
	src    Sources
	budget time.Duration
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxDesc, queueDesc, fileDesc, lagDesc, behindDesc, lastSyncDesc, healthyDesc} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Store != nil {
		c.collectStore(ch)
	}
	if c.src.DataDir != "" {
		for _, name := range dataFiles {
			fi, err := os.Stat(filepath.Join(c.src.DataDir, name))
			if errors.Is(err, fs.ErrNotExist) {
				// A checkpointed WAL may be gone; report it empty.
				ch <- prometheus.MustNewConstMetric(fileDesc, prometheus.GaugeValue, 0, name)
				continue
			}
			if err != nil {
				ch <- prometheus.NewInvalidMetric(fileDesc, err)
				continue
			}
			ch <- prometheus.MustNewConstMetric(fileDesc, prometheus.GaugeValue, float64(fi.Size()), name)
		}
	}
	if c.src.Backup != nil {
		for _, f := range c.src.Backup() {
			ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, f.Lag.Seconds(), f.Name)
			ch <- prometheus.MustNewConstMetric(behindDesc, prometheus.GaugeValue, float64(f.LagTXID), f.Name)
			var last float64
			if !f.LastSync.IsZero() {
				last = float64(f.LastSync.UnixMilli()) / 1000
			}
			ch <- prometheus.MustNewConstMetric(lastSyncDesc, prometheus.GaugeValue, last, f.Name)
			healthy := 0.0
			if f.Warning == "" {
				healthy = 1
			}
			ch <- prometheus.MustNewConstMetric(healthyDesc, prometheus.GaugeValue, healthy, f.Name)
		}
	}
}

func (c *collector) collectStore(ch chan<- prometheus.Metric) {
	ctx, cancel := scrapeContext(c.budget)
	defer cancel()
	depth, err := c.src.Store.OutboxDepth(ctx)
	if err != nil {
		c.src.Log.Error("metrics: outbox depth", "err", err)
		ch <- prometheus.NewInvalidMetric(outboxDesc, err)
	}
	for state, n := range depth {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), state)
	}
	queues, err := c.src.Store.QueueSizes(ctx)
	if err != nil {
		c.src.Log.Error("metrics: queue sizes", "err", err)
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
	}
	for _, q := range queues {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(q.Waiting), q.Name)
	}
}
