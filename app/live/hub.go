// Package live tells open browser pages that something changed, so they can
// fetch the fragment that shows it. An event is only a name ("fila",
// "ticket-12"): it carries no data, so nothing private travels through it and
// a page always renders what the database says, with the viewer's permissions.
//
// Publishing never blocks. Each subscriber keeps a set of pending names, so a
// burst of a thousand messages becomes one "fila" for a slow browser instead of
// a queue that grows without bound.
package live

import (
	"strconv"
	"sync"
)

// EventQueue means the lists of conversations changed (a new message, a
// conversation taken or finished).
const EventQueue = "fila"

// TicketEvent names the event of one conversation: a message arrived or was
// sent, a delivery status moved, the conversation was taken or finished.
func TicketEvent(ticketID int64) string { return "ticket-" + strconv.FormatInt(ticketID, 10) }

// PhoneEvent names the event of the simulator's phone of one citizen number.
func PhoneEvent(waID string) string { return "fone-" + waID }

// Hub fans events out to subscribers.
type Hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Subscription]struct{}{}} }

// Subscription receives the events its filter accepts.
type Subscription struct {
	hub    *Hub
	accept func(name string) bool
	ready  chan struct{}

	mu      sync.Mutex
	pending []string
}

// Subscribe registers a subscriber for the events accept returns true for
// (all events when accept is nil). Call Close when done.
func (h *Hub) Subscribe(accept func(name string) bool) *Subscription {
	if accept == nil {
		accept = func(string) bool { return true }
	}
	s := &Subscription{hub: h, accept: accept, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Publish tells every interested subscriber about names; it never blocks.
func (h *Hub) Publish(names ...string) {
	if h == nil || len(names) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.offer(names)
	}
}

// Subscribers returns how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (s *Subscription) offer(names []string) {
	s.mu.Lock()
	added := false
	for _, n := range names {
		if !s.accept(n) || contains(s.pending, n) {
			continue
		}
		s.pending = append(s.pending, n)
		added = true
	}
	s.mu.Unlock()
	if added {
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

func contains(list []string, name string) bool {
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}

// Ready receives a value when events are pending; then call Take.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take returns the pending event names, each once, in the order they came.
func (s *Subscription) Take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Close unregisters the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	delete(s.hub.subs, s)
	s.hub.mu.Unlock()
}
