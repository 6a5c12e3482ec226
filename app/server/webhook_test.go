package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"balcao/app/store"
	"balcao/app/whatsapp"
)

func TestWebhookVerifyHandshake(t *testing.T) {
	app := startApp(t, "", nil)
	cases := []struct {
		name, token string
		want        int
	}{
		{"right token", testVerify, 200},
		{"wrong token", "nope", 403},
		{"no token", "", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {c.token}, "hub.challenge": {"1158201444"}}
			resp, err := http.Get(app.URL + "/webhook/whatsapp?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
			if c.want == 200 && string(body) != "1158201444" {
				t.Fatalf("body %q, want the challenge", body)
			}
		})
	}
}

// count runs a count(*) query.
func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWebhookStoresEveryMessageType(t *testing.T) {
	app := startApp(t, "", nil)
	fixtures := []string{"text.json", "interactive_list_reply.json", "interactive_button_reply.json", "button.json",
		"image.json", "video.json", "audio.json", "sticker.json", "document.json", "location.json", "location_strings.json",
		"reaction.json", "reaction_removed.json", "contacts.json", "unsupported.json", "unknown_type.json",
		"forwarded.json", "referral.json", "batch.json"}
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			body := fixture(t, name)
			n, err := whatsapp.Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if got := postWebhook(t, app.URL, body, testSecret); got != 200 {
				t.Fatalf("status %d, want 200", got)
			}
			for _, m := range n.Messages {
				var typ, body, from string
				err := app.Store.R.QueryRow(`SELECT m.type, m.body, c.wa_id FROM messages m JOIN contacts c ON c.id = m.contact_id
					WHERE m.wamid = ?`, m.ID).Scan(&typ, &body, &from)
				if err != nil {
					t.Fatalf("message %s not stored: %v", m.ID, err)
				}
				if typ != m.Type || from != m.From || body != m.Text() {
					t.Errorf("stored (%s, %q, %s), want (%s, %q, %s)", typ, body, from, m.Type, m.Text(), m.From)
				}
				if m.ProfileName != "" {
					if got := count(t, app.Store.R, `SELECT count(*) FROM contacts WHERE wa_id = ? AND profile_name = ?`, m.From, m.ProfileName); got != 1 {
						t.Errorf("contact %s profile name %q not stored", m.From, m.ProfileName)
					}
				}
			}
			for _, s := range n.Statuses {
				if got := count(t, app.Store.R, `SELECT count(*) FROM message_statuses WHERE wamid = ? AND status = ?`, s.ID, s.Status); got != 1 {
					t.Errorf("status %s %s stored %d times", s.ID, s.Status, got)
				}
			}
		})
	}
	// Every stored inbound message is routed to a ticket off the request path.
	waitFor(t, "routing", func() bool {
		return count(t, app.Store.R, `SELECT count(*) FROM messages WHERE direction = 'in' AND (processed_at IS NULL OR ticket_id IS NULL)`) == 0
	})
	if got := count(t, app.Store.R, `SELECT count(*) FROM webhook_events`); got != len(fixtures) {
		t.Errorf("raw events %d, want %d", got, len(fixtures))
	}
}

func TestWebhookDuplicateDeliveryStoredOnce(t *testing.T) {
	app := startApp(t, "", nil)
	body := fixture(t, "text.json")
	for range 3 {
		if got := postWebhook(t, app.URL, body, testSecret); got != 200 {
			t.Fatalf("status %d", got)
		}
	}
	waitFor(t, "routing", func() bool {
		return count(t, app.Store.R, `SELECT count(*) FROM messages WHERE processed_at IS NULL`) == 0
	})
	if got := count(t, app.Store.R, `SELECT count(*) FROM messages`); got != 1 {
		t.Fatalf("messages %d, want 1", got)
	}
	if got := count(t, app.Store.R, `SELECT count(*) FROM tickets`); got != 1 {
		t.Fatalf("tickets %d, want 1", got)
	}
	if got := count(t, app.Store.R, `SELECT unread FROM tickets`); got != 1 {
		t.Fatalf("unread %d, want 1: a redelivery must trigger nothing", got)
	}
}

func TestWebhookRefusesBadInputAndStoresNothing(t *testing.T) {
	app := startApp(t, "", nil)
	good := fixture(t, "text.json")
	huge := append([]byte(`{"object":"whatsapp_business_account","entry":[],"pad":"`), bytes.Repeat([]byte("x"), whatsapp.MaxNotificationBytes)...)
	huge = append(huge, `"}`...)
	cases := []struct {
		name   string
		body   []byte
		secret string
		header string
		want   int
	}{
		{"missing signature", good, "", "", 401},
		{"wrong secret", good, "other-secret", "", 401},
		{"garbage signature", good, "", "sha256=zz", 401},
		{"signature without prefix", good, "", strings.TrimPrefix(whatsapp.Sign(testSecret, good), "sha256="), 401},
		{"malformed JSON", []byte(`{"object":"whatsapp_business_account","entry":[`), testSecret, "", 400},
		{"not JSON at all", []byte(`hello`), testSecret, "", 400},
		{"wrong object", fixture(t, "wrong_object.json"), testSecret, "", 400},
		{"oversized body", huge, testSecret, "", 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/webhook/whatsapp", bytes.NewReader(c.body))
			switch {
			case c.header != "":
				req.Header.Set(whatsapp.SignatureHeader, c.header)
			case c.secret != "":
				req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(c.secret, c.body))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	for _, table := range []string{"webhook_events", "messages", "contacts", "message_statuses"} {
		if got := count(t, app.Store.R, `SELECT count(*) FROM `+table); got != 0 {
			t.Errorf("%s has %d rows after refused input", table, got)
		}
	}
}

// statusPayload builds a status webhook for wamid.
func statusPayload(wamid, status string, ts int64) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"5517999990000","phone_number_id":"106540352242922"},
		"statuses":[{"id":%q,"status":%q,"timestamp":"%d","recipient_id":"5517988887777"}]}}]}]}`, wamid, status, ts))
}

func TestStatusesNeverMoveBackwards(t *testing.T) {
	app := startApp(t, "", nil)
	ctx := context.Background()
	if got := postWebhook(t, app.URL, fixture(t, "text.json"), testSecret); got != 200 {
		t.Fatal(got)
	}
	var contactID int64
	app.Store.R.QueryRow(`SELECT id FROM contacts`).Scan(&contactID)
	send := func(wamid string) int64 {
		msgID, outID, err := app.Store.Enqueue(ctx, store.Outgoing{ContactID: contactID, ToWaID: "5517988887777", Kind: "text", Body: "oi", Payload: `{}`})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Store.W.Exec(`UPDATE outbox SET state = 'inflight' WHERE id = ?`, outID); err != nil {
			t.Fatal(err)
		}
		if err := app.Store.MarkSent(ctx, outID, wamid); err != nil {
			t.Fatal(err)
		}
		return msgID
	}
	status := func(id int64) string {
		var s string
		app.Store.R.QueryRow(`SELECT status FROM messages WHERE id = ?`, id).Scan(&s)
		return s
	}

	// In order, then late arrivals of earlier states.
	a := send("wamid.OUT.A")
	for _, st := range []string{"sent", "read", "delivered", "sent"} {
		if got := postWebhook(t, app.URL, statusPayload("wamid.OUT.A", st, 1749854600), testSecret); got != 200 {
			t.Fatal(got)
		}
	}
	if got := status(a); got != "read" {
		t.Fatalf("status %q, want read", got)
	}

	// A status that arrives before the outbox recorded the wamid is applied when it is.
	if got := postWebhook(t, app.URL, statusPayload("wamid.OUT.B", "delivered", 1749854600), testSecret); got != 200 {
		t.Fatal(got)
	}
	b := send("wamid.OUT.B")
	if got := status(b); got != "delivered" {
		t.Fatalf("status %q, want delivered (raced ahead of the send)", got)
	}

	// Duplicated status deliveries are stored once.
	postWebhook(t, app.URL, statusPayload("wamid.OUT.B", "delivered", 1749854600), testSecret)
	if got := count(t, app.Store.R, `SELECT count(*) FROM message_statuses WHERE wamid = 'wamid.OUT.B'`); got != 1 {
		t.Fatalf("status rows %d, want 1", got)
	}
}

func TestWebhookAnswers503WhenTheDatabaseCannotWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the busy timeout")
	}
	app := startApp(t, "", nil)
	// Another process holds the write lock longer than balcao's busy timeout.
	locker, err := sql.Open("sqlite", "file:"+app.Store.Path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	body := fixture(t, "text.json")
	if got := postWebhook(t, app.URL, body, testSecret); got != 503 {
		t.Fatalf("status %d, want 503 while the database is locked", got)
	}
	conn.ExecContext(context.Background(), `ROLLBACK`)
	conn.Close()
	if got := count(t, app.Store.R, `SELECT count(*) FROM messages`); got != 0 {
		t.Fatalf("%d messages stored by a 503", got)
	}
	// Meta retries: now it is stored.
	if got := postWebhook(t, app.URL, body, testSecret); got != 200 {
		t.Fatalf("retry status %d, want 200", got)
	}
	if got := count(t, app.Store.R, `SELECT count(*) FROM messages`); got != 1 {
		t.Fatalf("messages %d after retry, want 1", got)
	}
}
