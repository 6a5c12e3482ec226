package live

import (
	"slices"
	"testing"
)

func TestSubscriptionCoalescesAndFilters(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(func(name string) bool { return name == EventQueue || name == TicketEvent(7) })
	defer sub.Close()
	for range 1000 {
		h.Publish(EventQueue, TicketEvent(7), TicketEvent(8))
	}
	select {
	case <-sub.Ready():
	default:
		t.Fatal("not ready after publishing")
	}
	if got := sub.Take(); !slices.Equal(got, []string{"fila", "ticket-7"}) {
		t.Fatalf("took %v, want [fila ticket-7] once each", got)
	}
	if got := sub.Take(); len(got) != 0 {
		t.Fatalf("took %v again", got)
	}
	sub.Close()
	if h.Subscribers() != 0 {
		t.Fatal("subscription still registered after Close")
	}
	h.Publish(EventQueue) // no subscriber: must not block
}
