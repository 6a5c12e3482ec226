// Package inbox does the work that follows a stored inbound message, off the
// webhook's request path: the bot answers it (app/bot decides, this package
// writes the decision and queues the replies) or it joins the ticket a clerk
// holds, and the panel is told. Its only queue is the database (messages not yet processed), so a
// crash loses nothing: the next start picks up where it stopped.
package inbox

import (
	"context"
	"log/slog"
	"time"

	"balcao/app/bot"
	"balcao/app/store"
)

// batchSize bounds one routing transaction.
const batchSize = 200

// Processor routes inbound messages.
type Processor struct {
	store *store.Store
	log   *slog.Logger
	// routed is told about each routed message (live panel, later the bot).
	routed func([]store.RoutedMessage)
	wake   chan struct{}
	// bot answers contacts not in a clerk's hands (nil: no bot).
	bot *bot.Engine
	// sent is called after replies were queued (wakes the outbox).
	sent func()
}

// New returns a processor; routed may be nil.
func New(st *store.Store, log *slog.Logger, routed func([]store.RoutedMessage)) *Processor {
	if routed == nil {
		routed = func([]store.RoutedMessage) {}
	}
	return &Processor{store: st, log: log, routed: routed, wake: make(chan struct{}, 1), sent: func() {}}
}

// UseBot makes the processor answer through e; sent is called after replies
// were queued. Call it before Run. While e has no menu, messages go straight
// to the clerks' queue.
func (p *Processor) UseBot(e *bot.Engine, sent func()) {
	p.bot = e
	if sent != nil {
		p.sent = sent
	}
}

// Wake asks for a pass soon; it never blocks.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes pending messages until ctx ends, on every Wake and every few
// seconds (which also resumes after a crash).
func (p *Processor) Run(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	cleanup := time.NewTicker(time.Hour)
	defer cleanup.Stop()
	for {
		p.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-tick.C:
		case <-cleanup.C:
			p.cleanSessions(ctx)
		}
	}
}

// cleanSessions drops bot sessions idle for longer than sessionRetention.
func (p *Processor) cleanSessions(ctx context.Context) {
	before := p.store.Now() - sessionRetention.Milliseconds()
	if n, err := p.store.DeleteBotSessionsBefore(ctx, before); err != nil {
		p.log.Error("deleting old bot sessions", "err", err)
	} else if n > 0 {
		p.log.Info("deleted old bot sessions", "count", n)
	}
}

// drain processes until nothing is pending.
func (p *Processor) drain(ctx context.Context) {
	if botReady(p.bot) {
		p.drainBot(ctx)
		return
	}
	for ctx.Err() == nil {
		routed, err := p.store.RoutePending(ctx, batchSize)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Error("routing inbound messages", "err", err)
			}
			return
		}
		if len(routed) > 0 {
			p.routed(routed)
			if p.sent != nil {
				p.sent() // news held for these citizens may have been released
			}
		}
		if len(routed) < batchSize {
			return
		}
	}
}
