// Package server wires the parts of a running balcao: the store, the webhook
// committer, the inbound processor and the web handlers. The CLI and the
// end-to-end tests start it the same way.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"

	"balcao/app/chat"
	"balcao/app/config"
	"balcao/app/inbox"
	"balcao/app/ingest"
	"balcao/app/live"
	"balcao/app/media"
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
	// Simulator plays Meta and the citizens (demo mode or BALCAO_SIMULATOR only; else nil).
	Simulator *simulator.Simulator
	log       *slog.Logger

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
	if o.Config.Simulator {
		useSimulator(o.Config)
		a.Simulator = newSimulator(o.Config, o.Log)
	}
	a.Relay = chat.NewRelay(st, a.Live, o.Log)
	a.Chat = &chat.Service{Store: st, Live: a.Live, Template: o.Config.WA.Template, TemplateLang: o.Config.WA.TemplateLang}
	a.Inbox = inbox.New(st, o.Log, a.Relay.Routed)
	a.Outbox = outbox.New(st, sendClient(o.Config), o.Log, outbox.Options{
		Rate: o.Config.WA.Rate, Template: o.Config.WA.Template, OnRecorded: a.Relay.Recorded})
	a.Chat.Wake = a.Outbox.Wake
	a.Media = media.NewFetcher(st, mediaClient(o.Config), o.Log, media.Options{OnFetched: a.Relay.Recorded})
	a.Committer = ingest.NewCommitter(st, o.Log, func() { a.Inbox.Wake(); a.Media.Wake() })
	a.Committer.OnStatuses(a.Relay.Statuses)
	a.Web, err = web.New(web.Deps{Config: o.Config, Store: st, Log: o.Log, Static: o.Static,
		Migrations: o.Migrations, Demo: o.Demo, Ingest: a.Committer,
		Live: a.Live, Chat: a.Chat, Simulator: a.Simulator})
	if err != nil {
		st.Close()
		return nil, err
	}
	// The banner shows what stops WhatsApp sending (token, account, template).
	a.Web.AddBanner(a.Outbox.Banner)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.goRun(func() { a.Committer.Run(wctx) })
	a.goRun(func() { a.Inbox.Run(wctx) })
	a.goRun(func() { a.Outbox.Run(wctx) })
	a.goRun(func() { a.Media.Run(wctx) })
	a.goRun(func() { a.Relay.Run(wctx) })
	return a, nil
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
	return a.Store.Close()
}
