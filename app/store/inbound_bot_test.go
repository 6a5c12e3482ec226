package store_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"

	"balcao/app/protocol"
	"balcao/app/store"
	"balcao/app/testutil"
)

func addMessage(t *testing.T, st *store.Store, contactID int64, direction string, processed bool) int64 {
	t.Helper()
	var id int64
	var at any
	if processed {
		at = st.Now()
	}
	err := st.W.QueryRow(`INSERT INTO messages (contact_id, direction, type, body, status, created_at, processed_at)
		VALUES (?, ?, 'text', 'x', 'received', ?, ?) RETURNING id`, contactID, direction, st.Now(), at).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFinishInboundRunsOnce(t *testing.T) {
	st := testutil.NewStore(t)
	contactID, _ := mustContact(t, st, "5517999990010")
	id := addMessage(t, st, contactID, "in", false)
	runs := 0
	for i := range 2 {
		done, err := st.FinishInbound(ctx, id, func(*sql.Tx) error { runs++; return nil })
		if err != nil || done != (i == 0) {
			t.Fatalf("pass %d: done %v, %v", i, done, err)
		}
	}
	if runs != 1 {
		t.Errorf("fn ran %d times, want once", runs)
	}
	pending, err := st.PendingInbound(ctx, 10)
	if err != nil || len(pending) != 0 {
		t.Errorf("pending %v, %v", pending, err)
	}
}

// Opening a ticket moves the bot's conversation into it, but not a later
// message of the citizen still waiting to be processed on its own.
func TestAttachBotHistoryLeavesLaterPendingMessages(t *testing.T) {
	st := testutil.NewStore(t)
	contactID, _ := mustContact(t, st, "5517999990011")
	st.W.Exec(`UPDATE tickets SET status = 'encerrado', created_at = 0`)
	first := addMessage(t, st, contactID, "in", true)
	reply := addMessage(t, st, contactID, "out", false)
	current := addMessage(t, st, contactID, "in", false)
	later := addMessage(t, st, contactID, "in", false)
	var ticket int64
	_, err := st.FinishInbound(ctx, current, func(tx *sql.Tx) error {
		since, err := st.BotHistoryStartTx(ctx, tx, contactID)
		if err != nil {
			return err
		}
		o, err := st.OpenTicketTx(ctx, tx, store.NewTicket{ContactID: contactID, Status: store.TicketQueued})
		ticket = o.ID
		if err != nil {
			return err
		}
		return st.AttachBotHistoryTx(ctx, tx, contactID, o.ID, since, current)
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]int64{first: ticket, reply: ticket, current: ticket, later: 0} {
		var got sql.NullInt64
		st.R.QueryRow(`SELECT ticket_id FROM messages WHERE id = ?`, id).Scan(&got)
		if got.Int64 != want {
			t.Errorf("message %d in ticket %d, want %d", id, got.Int64, want)
		}
	}
	var unread int
	st.R.QueryRow(`SELECT unread FROM tickets WHERE id = ?`, ticket).Scan(&unread)
	if unread != 2 {
		t.Errorf("unread %d, want the 2 inbound messages", unread)
	}
}

// Tickets from before protocol numbers get theirs when the store opens.
func TestOpenNumbersOldTickets(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), dir, testutil.MigrationsFS(), log)
	if err != nil {
		t.Fatal(err)
	}
	contactID, _ := mustContact(t, st, "5517999990012")
	st.W.Exec(`INSERT INTO tickets (contact_id, status, created_at, updated_at) VALUES (?, 'encerrado', 1, 1)`, contactID)
	st.Close()
	st, err = store.Open(context.Background(), dir, testutil.MigrationsFS(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.R.Query(`SELECT COALESCE(protocol, '') FROM tickets ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p string
		rows.Scan(&p)
		if _, err := protocol.Parse(p); err != nil {
			t.Errorf("ticket %d: protocol %q: %v", n, p, err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d tickets", n)
	}
}
