// Package server wires the parts of a running balcao: the store, the webhook
// committer, the inbound processor and the web handlers. The CLI and the
// end-to-end tests start it the same way.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"balcao/app/api"
	"balcao/app/backup"
	"balcao/app/bot"
	"balcao/app/chat"
	"balcao/app/config"
	"balcao/app/health"
	"balcao/app/inbox"
	"balcao/app/ingest"
	"balcao/app/live"
	"balcao/app/media"
	"balcao/app/metrics"
	"balcao/app/notify"
	"balcao/app/outbox"
	"balcao/app/simulator"
	"balcao/app/store"
	"balcao/app/web"
)

// Options are what Start needs.
type Options struct {
	Config     *config.Config
	Log        *slog.Logger
	Static     fs.FS
	Migrations fs.FS
	Demo       bool
}

// App is a running balcao.
type App struct {
	Config    *config.Config
	Store     *store.Store
	Web       *web.Server
	Committer *ingest.Committer
	Inbox     *inbox.Processor
	// Outbox sends every outbound message; call Outbox.Wake after queueing one.
	Outbox *outbox.Worker
	// Media downloads the files citizens send.
	Media *media.Fetcher
	// Live carries "something changed" events to open panels.
	Live *live.Hub
	// Relay turns the workers' callbacks into live events.
	Relay *chat.Relay
	// Chat runs the clerks' actions.
	Chat *chat.Service
	// Bot answers citizens who are not in a clerk's hands; the panel gives
	// it the menu after every edit (Bot.ReloadMenu).
	Bot *bot.Engine
	// Simulator plays Meta and the citizens (demo mode or BALCAO_SIMULATOR only; else nil).
	Simulator *simulator.Simulator
	// Backup replicates both database files continuously (nil without BALCAO_BACKUP_URL).
	Backup *backup.Replicator
	// Health watches the disk and the backup for the panel's banners.
	Health *health.Monitor
	// Metrics are served at GET /metrics (BALCAO_METRICS_TOKEN) and on
	// BALCAO_METRICS_ADDR.
	Metrics *metrics.Metrics
	// API serves /api/v1; Webhooks delivers its outgoing webhooks.
	API      *api.API
	Webhooks *api.Deliverer

	log *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start opens the data folder and starts the background workers.
func Start(ctx context.Context, o Options) (*App, error) {
	st, err := store.Open(ctx, o.Config.DataDir, o.Migrations, o.Log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: o.Config, Store: st, log: o.Log, Live: live.NewHub()}
	// The backup starts once migrations have created both files, and stops
	// after they are closed (see Close).
	if o.Config.Backup.URL != "" {
		if a.Backup, err = startBackup(ctx, o.Config, o.Log); err != nil {
			st.Close()
			return nil, err
		}
	}
	a.Health = health.New(health.Options{DataDir: o.Config.DataDir, MinFree: o.Config.DiskMinFree,
		Backup: a.backupStatus(), Log: o.Log})
	a.Metrics = metrics.New(metrics.Sources{Store: st, DataDir: o.Config.DataDir, SSEClients: a.Live.Subscribers,
		Backup: a.backupFiles(), Log: o.Log})
	if o.Config.Simulator {
		useSimulator(o.Config)
		a.Simulator = newSimulator(o.Config, o.Log)
	}
	a.Relay = chat.NewRelay(st, a.Live, o.Log)
	a.Chat = &chat.Service{Store: st, Live: a.Live, Template: o.Config.WA.Template, TemplateLang: o.Config.WA.TemplateLang,
		ComplementDays: o.Config.ComplementDays, Log: o.Log}
	a.Inbox = inbox.New(st, o.Log, a.Relay.Routed)
	a.Outbox = outbox.New(st, sendClient(o.Config), o.Log, outbox.Options{
		Rate: o.Config.WA.Rate, Template: o.Config.WA.Template, OnRecorded: a.Relay.Recorded, OnSend: a.Metrics.Sent})
	a.Chat.Wake = a.Outbox.Wake
	menu, _, err := bot.LoadMenu(ctx, st)
	if err != nil {
		a.closeData()
		return nil, err
	}
	a.Bot = bot.New(menu, bot.Options{KB: st, Protocols: bot.StoreProtocols{Source: st},
		Groups: bot.StoreGroups{Source: st}, IdleTimeout: o.Config.BotIdleTimeout})
	a.Inbox.UseBot(a.Bot, a.Outbox.Wake)
	// Every ticket change tells the citizen, in its own transaction.
	a.Chat.Notify = &notify.Notifier{Store: st, Template: o.Config.WA.Template, TemplateLang: o.Config.WA.TemplateLang,
		AskSurvey: a.Inbox.BotReady}
	a.Chat.Notify.Install()
	a.Media = media.NewFetcher(st, mediaClient(o.Config), o.Log, media.Options{OnFetched: a.Relay.Recorded})
	a.Committer = ingest.NewCommitter(st, o.Log, func() { a.Inbox.Wake(); a.Media.Wake() })
	a.Committer.OnStatuses(a.Relay.Statuses)
	a.Webhooks = api.NewDeliverer(st, o.Log, api.DelivererOptions{})
	a.API = api.New(api.Deps{Store: st, Chat: a.Chat, Log: o.Log, Wake: a.Webhooks.Wake})
	a.Web, err = web.New(web.Deps{Config: o.Config, Store: st, Log: o.Log, Static: o.Static,
		Migrations: o.Migrations, Demo: o.Demo, Ingest: a.Committer,
		Live: a.Live, Chat: a.Chat, Simulator: a.Simulator, Health: a.Health, Bot: a.Bot,
		API: a.API, Webhooks: a.Webhooks, Metrics: a.Metrics})
	if err != nil {
		a.closeData()
		return nil, err
	}
	// The banner shows what stops WhatsApp sending (token, account, template).
	a.Web.AddBanner(a.Outbox.Banner)
	a.Web.AddBanner(a.Health.DiskBanner)
	a.Web.AddBanner(a.Health.BackupBanner)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.goRun(func() { a.Committer.Run(wctx) })
	a.goRun(func() { a.Inbox.Run(wctx) })
	a.goRun(func() { a.Outbox.Run(wctx) })
	a.goRun(func() { a.Media.Run(wctx) })
	a.goRun(func() { a.Relay.Run(wctx) })
	a.goRun(func() { a.Chat.RunSweep(wctx) })
	a.goRun(func() { a.Health.Run(wctx) })
	a.goRun(func() { a.Webhooks.Run(wctx) })
	a.goRun(func() { a.buildReportDays(wctx) })
	return a, nil
}

// startBackup starts continuous replication of both database files.
func startBackup(ctx context.Context, c *config.Config, log *slog.Logger) (*backup.Replicator, error) {
	rep, err := backup.Start(ctx, backup.Options{URL: c.Backup.URL, DataDir: c.DataDir,
		Interval: c.Backup.Interval, Retention: c.Backup.Retention, Logger: backupLogger(log, c.LogLevel)})
	if err != nil {
		return nil, fmt.Errorf("continuous backup (BALCAO_BACKUP_URL): %w", err)
	}
	log.Info("continuous backup on", "replica", backup.Redact(c.Backup.URL), "files", store.MainFile+", "+store.MediaFile,
		"interval", c.Backup.Interval, "retention", c.Backup.Retention)
	return rep, nil
}

// backupLogger keeps Litestream's routine lines (a compaction every 30 s per
// file) out of the log unless BALCAO_LOG_LEVEL=debug; its warnings and
// errors always pass.
func backupLogger(log *slog.Logger, level string) *slog.Logger {
	log = log.With("component", "backup")
	if level == "debug" {
		return log
	}
	return slog.New(minLevel{log.Handler(), slog.LevelWarn})
}

// minLevel drops records below its level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// backupStatus is the health monitor's view of the backup; nil when it is off.
func (a *App) backupStatus() func(context.Context) []backup.FileStatus {
	if a.Backup == nil {
		return nil
	}
	return a.Backup.Status
}

// backupFiles is what /metrics reports of the backup: the status of the
// health monitor's last check (no request to the target per scrape); nil
// when the backup is off.
func (a *App) backupFiles() func() []backup.FileStatus {
	if a.Backup == nil {
		return nil
	}
	return func() []backup.FileStatus {
		b := a.Health.Backup()
		if b.CheckedAt.IsZero() { // scraped before the monitor's first check
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			b = a.Health.RefreshBackup(ctx)
		}
		return b.Files
	}
}

// buildReportDays rebuilds, once at start, the report days marked as
// changed: after an upgrade (every day) or an import, the first report then
// does not wait for them.
func (a *App) buildReportDays(ctx context.Context) {
	started := time.Now()
	n, err := a.Store.RefreshReportDays(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("report days", "err", err)
	case n > 0:
		a.log.Info("report days rebuilt", "days", n, "took", time.Since(started).Round(time.Millisecond))
	}
}

func (a *App) goRun(fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn()
	}()
}

// Handler is the HTTP handler of the whole app.
func (a *App) Handler() http.Handler { return a.Web.Handler() }

// Close stops the workers and closes the database. Call it after the HTTP
// server has stopped, so that in-flight webhooks are committed first.
func (a *App) Close() error {
	a.cancel()
	a.wg.Wait()
	if a.Simulator != nil {
		a.Simulator.Close()
	}
	a.Web.Close()
	return a.closeData()
}

// backupCloseTimeout bounds the final sync to the backup target at shutdown;
// the replicator itself gives up on an unreachable target after 10 s.
const backupCloseTimeout = 30 * time.Second

// closeData closes the databases, then the backup, whose last sync ships
// what was committed before the close.
func (a *App) closeData() error {
	err := a.Store.Close()
	if a.Backup != nil {
		ctx, cancel := context.WithTimeout(context.Background(), backupCloseTimeout)
		defer cancel()
		if berr := a.Backup.Close(ctx); berr != nil {
			err = errors.Join(err, berr)
		} else {
			a.log.Info("continuous backup: final sync done")
		}
	}
	return err
}
