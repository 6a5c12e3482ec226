package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"balcao/app/store"
	"balcao/app/testutil"
)

// The queue is the table: a delivery a crash interrupted (claimed, never
// recorded) is due again when its lease ends, with the attempt counted.
func TestWebhookQueueSurvivesACrash(t *testing.T) {
	ctx := context.Background()
	st := testutil.NewStore(t)
	now := time.Now()
	st.SetClock(func() time.Time { return now })
	if err := st.SaveWebhookSettings(ctx, store.WebhookSettings{URL: "https://sistema.example/hook", Secret: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	o, err := st.CreateAPITicket(ctx, store.APINewTicket{Kind: "denuncia", Subject: "s", Description: "d", Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	lease := (40 * time.Second).Milliseconds()
	got, err := st.ClaimWebhooks(ctx, 10, lease)
	if err != nil || len(got) != 1 || got[0].Attempts != 1 || got[0].Event != store.EventTicketCreated {
		t.Fatalf("claim: %+v %v", got, err)
	}
	var p struct {
		Event  string         `json:"event"`
		Ticket map[string]any `json:"ticket"`
	}
	if err := json.Unmarshal([]byte(got[0].Payload), &p); err != nil || p.Event != store.EventTicketCreated ||
		p.Ticket["protocol"] != o.Protocol || p.Ticket["anonymous"] != true || p.Ticket["identity"] != store.IdentityAnonima || p.Ticket["status"] != store.TicketNew {
		t.Errorf("payload %s: %v", got[0].Payload, err)
	}
	// The worker "crashes" here. Until the lease ends nobody else sends it…
	if again, _ := st.ClaimWebhooks(ctx, 10, lease); len(again) != 0 {
		t.Fatalf("claimed twice within the lease: %+v", again)
	}
	// …then it is due again, the attempt counted.
	now = now.Add(41 * time.Second)
	again, err := st.ClaimWebhooks(ctx, 10, lease)
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v %v", again, err)
	}
}

// Without a URL nothing is queued, and a failed change queues nothing.
func TestWebhookEventsOnlyWithTheChange(t *testing.T) {
	ctx := context.Background()
	st := testutil.NewStore(t)
	if _, err := st.CreateAPITicket(ctx, store.APINewTicket{Kind: "elogio", Subject: "s", Description: "d"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveWebhookSettings(ctx, store.WebhookSettings{URL: "https://sistema.example/hook", Secret: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	// A ticket in a group that does not exist is refused: no ticket, no event.
	if _, err := st.CreateAPITicket(ctx, store.APINewTicket{Kind: "elogio", Subject: "s", Description: "d", GroupID: 999}); err == nil {
		t.Fatal("ticket in an unknown group opened")
	}
	var tickets, events int
	st.R.QueryRow(`SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM outgoing_webhooks)`).Scan(&tickets, &events)
	if tickets != 1 || events != 0 {
		t.Errorf("tickets %d, events %d; want 1, 0", tickets, events)
	}
}
