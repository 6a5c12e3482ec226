package store_test

import (
	"database/sql"
	"testing"

	"balcao/app/testutil"
)

// tickets.last_direction follows every message written into a ticket, and
// the messages moved into a ticket (the bot's chat before a hand-off), so
// the panel's "pending" never reads the messages table.
func TestLastDirectionFollowsMessages(t *testing.T) {
	st := testutil.NewStore(t)
	contactID, _ := mustContact(t, st, "5517999990042")
	exec := func(q string, args ...any) sql.Result {
		t.Helper()
		res, err := st.W.Exec(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res
	}
	direction := func(ticket int64) string {
		t.Helper()
		var d sql.NullString
		if err := st.R.QueryRow(`SELECT last_direction FROM tickets WHERE id = ?`, ticket).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d.String
	}
	message := func(ticket any, dir string) int64 {
		t.Helper()
		id, _ := exec(`INSERT INTO messages (contact_id, ticket_id, direction, type, status, created_at) VALUES (?, ?, ?, 'text', 'received', 0)`,
			contactID, ticket, dir).LastInsertId()
		return id
	}
	// The bot's chat, before any ticket: a citizen's message, a bot reply, a citizen's message.
	message(nil, "in")
	message(nil, "out")
	last := message(nil, "in")
	tk, _ := exec(`INSERT INTO tickets (contact_id, status, created_at, updated_at) VALUES (?, 'em_fila', 0, 0)`, contactID).LastInsertId()
	if d := direction(tk); d != "" {
		t.Fatalf("a ticket without messages: %q, want none", d)
	}
	// The hand-off moves the chat into the ticket: the last word is the citizen's.
	exec(`UPDATE messages SET ticket_id = ? WHERE contact_id = ? AND ticket_id IS NULL`, tk, contactID)
	if d := direction(tk); d != "in" {
		t.Fatalf("after the move: %q, want in (message %d)", d, last)
	}
	steps := []string{"out", "in", "in", "out"}
	for _, dir := range steps {
		message(tk, dir)
		if d := direction(tk); d != dir {
			t.Fatalf("after a message %s: %q", dir, d)
		}
	}
}
