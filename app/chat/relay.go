package chat

import (
	"context"
	"log/slog"
	"sync"

	"balcao/app/live"
	"balcao/app/store"
)

// maxPendingStatuses bounds the wamids waiting to be resolved; past it new
// ones are dropped: only a tick refresh is lost, and the chat's next event or
// its slow poll repairs it.
const maxPendingStatuses = 10000

// Relay turns what the background workers did into live events: routed
// inbound messages (the inbox processor's callback), committed status updates
// (the ingest committer's) and recorded send outcomes (the outbox worker's). Finding the conversation of a
// status needs a query, so that happens on the relay's own goroutine and never
// slows the committer down.
type Relay struct {
	store *store.Store
	hub   *live.Hub
	log   *slog.Logger

	mu       sync.Mutex
	pending  []string
	messages []int64
	wake     chan struct{}
}

// NewRelay returns a relay; call Run to start it.
func NewRelay(st *store.Store, hub *live.Hub, log *slog.Logger) *Relay {
	return &Relay{store: st, hub: hub, log: log, wake: make(chan struct{}, 1)}
}

// Routed publishes the changes of routed inbound messages; it never blocks.
func (r *Relay) Routed(msgs []store.RoutedMessage) {
	names := []string{live.EventQueue}
	for _, m := range msgs {
		names = append(names, live.TicketEvent(m.TicketID))
	}
	r.hub.Publish(names...)
}

// Statuses queues the wamids of committed status updates; it never blocks.
func (r *Relay) Statuses(wamids []string) {
	r.mu.Lock()
	if len(r.pending)+len(wamids) <= maxPendingStatuses {
		r.pending = append(r.pending, wamids...)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Recorded queues a message whose send outcome the outbox worker recorded
// (accepted, retried, failed); it never blocks.
func (r *Relay) Recorded(messageID int64) {
	r.mu.Lock()
	if len(r.messages) < maxPendingStatuses {
		r.messages = append(r.messages, messageID)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run resolves queued statuses into conversation events until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		r.mu.Lock()
		wamids, messages := r.pending, r.messages
		r.pending, r.messages = nil, nil
		r.mu.Unlock()
		tickets, err := r.store.TicketsOfWAMIDs(ctx, wamids)
		if err == nil {
			var more []int64
			more, err = r.store.TicketsOfMessages(ctx, messages)
			tickets = append(tickets, more...)
		}
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("live: statuses not relayed", "err", err)
			}
			continue
		}
		names := make([]string, 0, len(tickets))
		for _, id := range tickets {
			names = append(names, live.TicketEvent(id))
		}
		r.hub.Publish(names...)
	}
}
