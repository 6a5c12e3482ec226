// Package inbox does the work that follows a stored inbound message, off the
// webhook's request path: it routes the message to its ticket and tells the
// panel. Its only queue is the database (messages not yet processed), so a
// crash loses nothing: the next start picks up where it stopped.
package inbox

import (
	"context"
	"log/slog"
	"time"

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
}

// New returns a processor; routed may be nil.
func New(st *store.Store, log *slog.Logger, routed func([]store.RoutedMessage)) *Processor {
	if routed == nil {
		routed = func([]store.RoutedMessage) {}
	}
	return &Processor{store: st, log: log, routed: routed, wake: make(chan struct{}, 1)}
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
	for {
		p.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// drain routes until nothing is pending.
func (p *Processor) drain(ctx context.Context) {
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
		}
		if len(routed) < batchSize {
			return
		}
	}
}
